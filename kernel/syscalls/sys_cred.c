/*
 * sys_cred.c - the credential system calls (Linux x86_64 ABI; see syscall.h
 * and cred.h): getuid, geteuid, getgid, getegid, getresuid, getresgid,
 * setuid, setgid, setreuid, setregid, setresuid, setresgid, setfsuid,
 * setfsgid, getgroups, setgroups.
 *
 * The rules are Linux's (kernel/sys.c, kernel/groups.c; man 2 setuid,
 * setreuid, setresuid, setfsuid, getgroups), with privilege meaning an
 * effective user ID of 0. Every successful change of the effective ID sets
 * the file-system ID to it. An ID of (uid_t)-1 means "unchanged" where
 * Linux says so; -EINVAL for it where Linux refuses it (setuid(-1)).
 */
/* every handler has the six-register signature: most use fewer */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "syscall.h"
#include "cred.h"
#include "hal_user.h"
#include "uapi/errno.h"

#define ARGS uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5
#define KEEP ((uint32_t)-1)

static int64_t sys_getuid(ARGS)  { cred_t c; cred_get(&c); return c.uid; }
static int64_t sys_geteuid(ARGS) { cred_t c; cred_get(&c); return c.euid; }
static int64_t sys_getgid(ARGS)  { cred_t c; cred_get(&c); return c.gid; }
static int64_t sys_getegid(ARGS) { cred_t c; cred_get(&c); return c.egid; }

/* Copies three IDs out to the user words @ur, @ue, @us: 0 or -EFAULT. */
static int64_t put3(uint64_t ur, uint64_t ue, uint64_t us, uint32_t r, uint32_t e, uint32_t s)
{
    if (hal_copy_to_user(ur, &r, 4) || hal_copy_to_user(ue, &e, 4) ||
        hal_copy_to_user(us, &s, 4))
        return -EFAULT;
    return 0;
}

static int64_t sys_getresuid(ARGS)
{
    cred_t c;

    cred_get(&c);
    return put3(a0, a1, a2, c.uid, c.euid, c.suid);
}

static int64_t sys_getresgid(ARGS)
{
    cred_t c;

    cred_get(&c);
    return put3(a0, a1, a2, c.gid, c.egid, c.sgid);
}

/*
 * The common rule of setresuid(2) and setresgid(2) on the ID triple @id
 * (real, effective, saved) and its file-system ID *@fs: each new value
 * must be KEEP or, without privilege, one of the current three.
 * @return 0 or -EPERM.
 */
static int set_res(uint32_t *id, uint32_t *fs, uint32_t r, uint32_t e, uint32_t s, bool priv)
{
    uint32_t want[3] = { r, e, s };

    if (!priv) {
        for (int i = 0; i < 3; i++)
            if (want[i] != KEEP && want[i] != id[0] && want[i] != id[1] && want[i] != id[2])
                return -EPERM;
    }
    for (int i = 0; i < 3; i++)
        if (want[i] != KEEP)
            id[i] = want[i];
    *fs = id[1];
    return 0;
}

/*
 * setreuid(2) / setregid(2) on @id (real, effective, saved): the real ID may
 * become the real or effective one, the effective ID any of the three; the
 * saved ID follows the new effective ID when the real one is set or the
 * effective one becomes other than the old real one (man 2 setreuid).
 */
static int set_re(uint32_t *id, uint32_t *fs, uint32_t r, uint32_t e, bool priv)
{
    uint32_t old_r = id[0];

    if (!priv) {
        if (r != KEEP && r != id[0] && r != id[1])
            return -EPERM;
        if (e != KEEP && e != id[0] && e != id[1] && e != id[2])
            return -EPERM;
    }
    if (r != KEEP)
        id[0] = r;
    if (e != KEEP)
        id[1] = e;
    if (r != KEEP || (e != KEEP && e != old_r))
        id[2] = id[1];
    *fs = id[1];
    return 0;
}

/* setuid(2) / setgid(2): with privilege all three IDs, else the effective one only. */
static int set_one(uint32_t *id, uint32_t *fs, uint32_t v, bool priv)
{
    if (v == KEEP)
        return -EINVAL;
    if (priv) {
        id[0] = id[1] = id[2] = v;
    } else if (v == id[0] || v == id[2]) {
        id[1] = v;
    } else {
        return -EPERM;
    }
    *fs = id[1];
    return 0;
}

/* Runs one of the setters on the user IDs (@user) or group IDs of the caller, then stores them. */
#define CRED_APPLY(call) do {                                              \
        cred_t c;                                                          \
        int rc;                                                            \
        cred_get(&c);                                                      \
        bool priv = c.euid == 0;                                           \
        uint32_t *uid3 = &c.uid, *gid3 = &c.gid;                           \
        (void)uid3; (void)gid3; (void)priv;                                \
        rc = (call);                                                       \
        if (rc == 0)                                                       \
            cred_set(&c);                                                  \
        return rc;                                                         \
    } while (0)

/* cred_t lays out uid, euid, suid, fsuid then gid, egid, sgid, fsgid: id[0..2] and the fs ID. */
static int64_t sys_setuid(ARGS)    { CRED_APPLY(set_one(uid3, &c.fsuid, (uint32_t)a0, priv)); }
static int64_t sys_setgid(ARGS)    { CRED_APPLY(set_one(gid3, &c.fsgid, (uint32_t)a0, priv)); }
static int64_t sys_setreuid(ARGS)  { CRED_APPLY(set_re(uid3, &c.fsuid, (uint32_t)a0, (uint32_t)a1, priv)); }
static int64_t sys_setregid(ARGS)  { CRED_APPLY(set_re(gid3, &c.fsgid, (uint32_t)a0, (uint32_t)a1, priv)); }
static int64_t sys_setresuid(ARGS) { CRED_APPLY(set_res(uid3, &c.fsuid, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2, priv)); }
static int64_t sys_setresgid(ARGS) { CRED_APPLY(set_res(gid3, &c.fsgid, (uint32_t)a0, (uint32_t)a1, (uint32_t)a2, priv)); }

/*
 * setfsuid(2) / setfsgid(2): sets the file-system ID when privileged or when
 * it is one of the real, effective, saved or current file-system IDs;
 * always returns the previous file-system ID (no error, man 2 setfsuid).
 */
static int64_t set_fs(bool user, uint32_t v)
{
    cred_t c;
    uint32_t *id, *fs, old;

    cred_get(&c);
    id = user ? &c.uid : &c.gid;
    fs = user ? &c.fsuid : &c.fsgid;
    old = *fs;
    if (v != KEEP && (c.euid == 0 || v == id[0] || v == id[1] || v == id[2] || v == *fs)) {
        *fs = v;
        cred_set(&c);
    }
    return old;
}

static int64_t sys_setfsuid(ARGS) { return set_fs(true, (uint32_t)a0); }
static int64_t sys_setfsgid(ARGS) { return set_fs(false, (uint32_t)a0); }

/* getgroups(2): @a0 == 0 asks for the count; a smaller non-zero size is -EINVAL. */
static int64_t sys_getgroups(ARGS)
{
    int32_t size = (int32_t)a0;
    cred_t c;

    cred_get(&c);
    if (size < 0)
        return -EINVAL;
    if (size == 0)
        return c.ngroups;
    if ((uint32_t)size < c.ngroups)
        return -EINVAL;
    if (c.ngroups && hal_copy_to_user(a1, c.groups, c.ngroups * sizeof(uint32_t)))
        return -EFAULT;
    return c.ngroups;
}

/* setgroups(2): privileged only (-EPERM); more than CRED_NGROUPS_MAX groups is -EINVAL. */
static int64_t sys_setgroups(ARGS)
{
    int32_t size = (int32_t)a0;
    cred_t c;

    cred_get(&c);
    if (c.euid != 0)
        return -EPERM;
    if (size < 0 || size > CRED_NGROUPS_MAX)
        return -EINVAL;
    if (size && hal_copy_from_user(c.groups, a1, (size_t)size * sizeof(uint32_t)))
        return -EFAULT;
    c.ngroups = (uint32_t)size;
    cred_set(&c);
    return 0;
}

void sys_cred_register(syscall_entry_t *table)
{
    SYSCALL_ENTRY(getuid);
    SYSCALL_ENTRY(geteuid);
    SYSCALL_ENTRY(getgid);
    SYSCALL_ENTRY(getegid);
    SYSCALL_ENTRY(getresuid);
    SYSCALL_ENTRY(getresgid);
    SYSCALL_ENTRY(setuid);
    SYSCALL_ENTRY(setgid);
    SYSCALL_ENTRY(setreuid);
    SYSCALL_ENTRY(setregid);
    SYSCALL_ENTRY(setresuid);
    SYSCALL_ENTRY(setresgid);
    SYSCALL_ENTRY(setfsuid);
    SYSCALL_ENTRY(setfsgid);
    SYSCALL_ENTRY(getgroups);
    SYSCALL_ENTRY(setgroups);
}
