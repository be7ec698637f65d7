/*
 * exec.c - loading a static ELF program into a process (execve(2)).
 *
 * The image: one CODE vseg per read-only PT_LOAD and one DATA vseg per
 * writable one (bss included), an empty HEAP at the page after the last
 * segment, and an 8 MiB STACK at the top of user space. Nothing is copied
 * at exec: pages come on first touch (vmm_handle_fault). The initial stack
 * is laid out as the Linux kernel does (System V AMD64 psABI 3.4.1,
 * "Initial Stack and Register State"; auxv types from linux/auxvec.h):
 *
 *   argc | argv[0..argc-1] NULL | envp[..] NULL | auxv pairs, AT_NULL |
 *   padding | 16 random bytes | "x86_64" | argument and environment strings
 */
#include "process.h"
#include "process_copy.h"
#include "trace.h"
#include "thread.h"
#include "elf.h"
#include "vfs.h"
#include "ppm.h"
#include "cpu.h"
#include "core.h"
#include "trap.h"
#include "hal_user.h"
#include "kstring.h"
#include "uapi/errno.h"
#include "printk.h"
#include "uapi/auxvec.h"

#define EXEC_ARGS_ORDER  4                    /* 64 KiB for the strings of argv and envp */
#define EXEC_ARGS_BYTES  (PAGE_SIZE << EXEC_ARGS_ORDER)
#define EXEC_MAX_STRINGS 1024                 /* argc + envc */
#define EXEC_HDR_BYTES   (2 * PAGE_SIZE)      /* ELF header + program headers read */

/* Reads the first bytes of @ino (up to EXEC_HDR_BYTES) into @buf. @return the byte count. */
static size_t exec_read_header(vfs_inode_t *ino, uint64_t size, char *buf)
{
    size_t len = size < EXEC_HDR_BYTES ? size : EXEC_HDR_BYTES;

    for (size_t off = 0; off < len; off += PAGE_SIZE) {
        page_t *pg = mapper_page_get(vfs_inode_mapper(ino), off >> PAGE_SHIFT);
        size_t n = len - off < PAGE_SIZE ? len - off : PAGE_SIZE;

        if (pg) {
            memcpy(buf + off, ppm_page_to_virt(pg), n);
            mapper_page_put(pg);
        } else
            memset(buf + off, 0, n);
    }
    return len;
}

static uint64_t exec_random64(void)
{
    uint64_t x = rdtsc() ^ 0x9e3779b97f4a7c15ull;

    x ^= x >> 33; x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ (x >> 33);
}

/* Builds the image's vsegs in the (emptied) vmm of @p. @return 0 or -ENOMEM. */
static int exec_map_image(process_t *p, vfs_inode_t *ino, const elf_image_t *img, uint64_t bias)
{
    int err;

    for (uint32_t i = 0; i < img->nsegs; i++) {
        const elf_segment_t *s = &img->seg[i];
        uint64_t va = s->vaddr + bias;
        uint64_t min = va & PAGE_MASK;
        uint64_t max = (va + s->memsz + PAGE_SIZE - 1) & PAGE_MASK;
        uint32_t prot = ((s->flags & ELF_PF_R) ? PROT_READ : 0) |
                        ((s->flags & ELF_PF_W) ? PROT_WRITE : 0) |
                        ((s->flags & ELF_PF_X) ? PROT_EXEC : 0);
        bool code = !(s->flags & ELF_PF_W) && s->filesz == s->memsz;

        if (vmm_add_vseg(&p->vmm, code ? VSEG_CODE : VSEG_DATA, min, max, prot, ino,
                         s->offset & PAGE_MASK, s->filesz + (va & ~PAGE_MASK), &err) == NULL)
            return err == -EEXIST ? -ENOEXEC : err;
    }
    p->vmm.heap_start = p->vmm.brk = ((img->hi + bias) + PAGE_SIZE - 1) & PAGE_MASK;
    p->vmm.stack_min = USER_STACK_TOP - USER_STACK_SIZE;
    p->vmm.stack_max = USER_STACK_TOP;
    if (vmm_add_vseg(&p->vmm, VSEG_STACK, p->vmm.stack_min, p->vmm.stack_max,
                     PROT_READ | PROT_WRITE | (img->exec_stack ? PROT_EXEC : 0),
                     NULL, 0, 0, &err) == NULL)
        return err;
    return 0;
}

/*
 * Writes the initial stack at the top of @p's stack vseg. @scratch:
 * EXEC_ARGS_BYTES of kernel memory. @return the user stack pointer, or 0
 * (-E2BIG: it does not fit the scratch area), or a write failure.
 */
static int64_t exec_build_stack(process_t *p, char *scratch, const char *path,
                                char *const argv[], char *const envp[],
                                const elf_image_t *img, uint64_t bias)
{
    uint64_t top = USER_STACK_TOP, base = top - EXEC_ARGS_BYTES;
    char *end = scratch + EXEC_ARGS_BYTES, *s = end;
    uint64_t argc = 0, envc = 0, *w, sp;
    uint32_t a, b, c, d;

#define PUSH_STR(str) ({ size_t _n = strlen(str) + 1;                              \
        if ((size_t)(s - scratch) < _n + 4096) return -E2BIG;                      \
        s -= _n; memcpy(s, (str), _n); base + (uint64_t)(s - scratch); })

    uint64_t u_execfn = PUSH_STR(path);
    uint64_t u_platform = PUSH_STR("x86_64");
    while (argv[argc]) argc++;
    while (envp[envc]) envc++;
    uint64_t u_argv[argc + 1], u_envp[envc + 1];     /* bounded by EXEC_MAX_STRINGS */

    for (uint64_t i = envc; i-- > 0; )
        u_envp[i] = PUSH_STR(envp[i]);
    for (uint64_t i = argc; i-- > 0; )
        u_argv[i] = PUSH_STR(argv[i]);
    s = (char *)((uint64_t)(s - 16) & ~15ull);
    uint64_t u_random = base + (uint64_t)(s - scratch);
    ((uint64_t *)s)[0] = exec_random64();
    ((uint64_t *)s)[1] = exec_random64();

    uint64_t words = 1 + argc + 1 + envc + 1 + 2 * 19;
    s = (char *)(((uint64_t)s - words * 8) & ~15ull);
    if (s < scratch)
        return -E2BIG;
    w = (uint64_t *)s;
    *w++ = argc;
    for (uint64_t i = 0; i < argc; i++) *w++ = u_argv[i];
    *w++ = 0;
    for (uint64_t i = 0; i < envc; i++) *w++ = u_envp[i];
    *w++ = 0;
    cpuid(1, 0, &a, &b, &c, &d);
#define AUX(t, v) do { *w++ = (t); *w++ = (v); } while (0)
    AUX(AT_PHDR, img->phdr_vaddr + bias);
    AUX(AT_PHENT, img->phentsize);
    AUX(AT_PHNUM, img->phnum);
    AUX(AT_PAGESZ, PAGE_SIZE);
    AUX(AT_BASE, 0);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, img->entry + bias);
    AUX(AT_UID, 0);
    AUX(AT_EUID, 0);
    AUX(AT_GID, 0);
    AUX(AT_EGID, 0);
    AUX(AT_PLATFORM, u_platform);
    AUX(AT_HWCAP, d);
    AUX(AT_CLKTCK, 100);
    AUX(AT_SECURE, 0);
    AUX(AT_RANDOM, u_random);
    AUX(AT_HWCAP2, 0);
    AUX(AT_EXECFN, u_execfn);
    AUX(AT_NULL, 0);
#undef AUX
#undef PUSH_STR
    sp = base + (uint64_t)(s - scratch);
    int rc = vmm_copy_to(&p->vmm, sp, s, (size_t)(end - s));
    return rc ? rc : (int64_t)sp;
}

int process_exec_image(process_t *p, trap_frame_t *frame, const char *path,
                       char *const argv[], char *const envp[])
{
    page_t *hdr_pages, *stack_pages;
    vfs_inode_t *ino;
    elf_image_t img;
    const char *why = NULL;
    uint64_t size, bias;
    int64_t sp;
    int rc;

    rc = vfs_open_exec(p->cwd ? p->cwd : vfs_root(), path, &ino, &size);
    if (rc)
        return rc;
    hdr_pages = ppm_alloc_pages(1);
    stack_pages = ppm_alloc_pages(EXEC_ARGS_ORDER);
    if (hdr_pages == NULL || stack_pages == NULL) {
        rc = -ENOMEM;
        goto out;
    }
    rc = elf_parse(ppm_page_to_virt(hdr_pages),
                   exec_read_header(ino, size, ppm_page_to_virt(hdr_pages)), size, &img, &why);
    if (rc) {
        printk("exec: %s: not a static x86_64 executable: %s", path, why ? why : "?");
        goto out;
    }
    bias = img.pie ? USER_PIE_BIAS : 0;

    /* the point of no return: the old image goes */
    vmm_clear(&p->vmm);
    rc = exec_map_image(p, ino, &img, bias);
    if (rc == 0) {
        sp = exec_build_stack(p, ppm_page_to_virt(stack_pages), path, argv, envp, &img, bias);
        rc = sp < 0 ? (int)sp : 0;
    }
    if (rc) {
        /* too late to fail back to the old program: Linux kills it too */
        printk("exec: %s: cannot build the new image (error %d): process %u ends", path, rc,
               p->pid);
        ppm_free_pages(hdr_pages);
        ppm_free_pages(stack_pages);
        vfs_inode_put(ino);
        process_exit(SIGKILL);
    }
    fd_table_close_on_exec(&p->fds);
    for (int i = 0; i < NSIG; i++)      /* execve(2): handled signals back to SIG_DFL; */
        if (p->sigaction[i].handler != SIG_IGN)   /* ignored ones, mask, pending stay */
            memset(&p->sigaction[i], 0, sizeof(p->sigaction[i]));
    memset(&thread_current()->sig_altstack, 0, sizeof(kstack_t));   /* no alternate stack */
    process_set_name(p, path);
    trace(TRACE_EXEC, 0, p->pid, trace_pack_name(p->name));
    memset(frame, 0, sizeof(*frame));
    frame->rip    = img.entry + bias;
    frame->rsp    = (uint64_t)sp;
    frame->rflags = RFLAGS_IF | 0x2;
    frame->cs     = SEL_UCODE_RPL3;
    frame->ss     = SEL_UDATA_RPL3;
    if (p->thread) {
        p->thread->fs_base = 0;
        hal_fpu_init_state(p->thread->fpu);
        if (p->thread == thread_current()) {
            wrmsr(MSR_FS_BASE, 0);
            hal_fpu_restore(p->thread->fpu);
        }
    }
    rc = 0;
out:
    if (hdr_pages)
        ppm_free_pages(hdr_pages);
    if (stack_pages)
        ppm_free_pages(stack_pages);
    vfs_inode_put(ino);
    return rc;
}

/* Copies a user array of string pointers into @buf; @return the count or -errno. */
static int64_t exec_copy_strings(uint64_t uarr, char **vec, size_t max, char **cursor, char *limit)
{
    size_t n = 0;

    if (uarr == 0) {
        vec[0] = NULL;
        return 0;
    }
    for (;;) {
        uint64_t up;
        int64_t len;

        if (hal_copy_from_user(&up, uarr + n * 8, 8))
            return -EFAULT;
        if (up == 0)
            break;
        if (n + 1 >= max)
            return -E2BIG;
        len = hal_strncpy_from_user(*cursor, up, (size_t)(limit - *cursor));
        if (len == -ENAMETOOLONG)
            return -E2BIG;
        if (len < 0)
            return len;
        vec[n++] = *cursor;
        *cursor += len + 1;
    }
    vec[n] = NULL;
    return (int64_t)n;
}

int process_exec(trap_frame_t *frame, uint64_t upath, uint64_t uargv, uint64_t uenvp)
{
    process_t *p = process_copy_current();
    page_t *pages;
    char *buf, *cursor, *limit, path[PATH_MAX];
    char **argv, **envp;
    int64_t n;
    int rc;

    /* Linux ends the other threads first (de_thread); here exec needs a single thread */
    if (process_ref_xp(p) != XPTR(local_cxy(), p) || process_threads(p) > 1)
        return -EBUSY;
    pages = ppm_alloc_pages(EXEC_ARGS_ORDER + 1);
    if (pages == NULL)
        return -ENOMEM;
    buf = ppm_page_to_virt(pages);
    argv = (char **)buf;                                     /* first half: the vectors */
    envp = argv + EXEC_MAX_STRINGS;
    cursor = buf + EXEC_ARGS_BYTES;                          /* second half: the strings */
    limit = buf + 2 * EXEC_ARGS_BYTES;
    n = hal_strncpy_from_user(path, upath, sizeof(path));
    if (n < 0) {
        rc = (int)n;
        goto out;
    }
    if (n == 0) {
        rc = -ENOENT;
        goto out;
    }
    n = exec_copy_strings(uargv, argv, EXEC_MAX_STRINGS, &cursor, limit);
    if (n == 0) {
        /* an empty argv gets "" as argv[0], as Linux does since 5.18 (fs/exec.c,
         * do_execveat_common): a program may assume argc >= 1 */
        *cursor = '\0';
        argv[0] = cursor++;
        argv[1] = NULL;
    }
    if (n >= 0)
        n = exec_copy_strings(uenvp, envp, EXEC_MAX_STRINGS, &cursor, limit);
    if (n < 0) {
        rc = (int)n;
        goto out;
    }
    rc = process_exec_image(p, frame, path, argv, envp);
    if (rc == 0) {
        p->execd = 1;                                        /* setpgid(2)'s EACCES */
        itimer_exec(p);                                      /* timer_create(2): not kept */
    }
out:
    ppm_free_pages(pages);
    return rc;
}
