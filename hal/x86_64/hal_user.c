/*
 * hal_user.c - user-mode set-up, FPU state and user copies (see hal_user.h).
 */
#include "hal_user.h"
#include "hal_core.h"
#include "cpu.h"
#include "hal_upcalls.h"

#define MSR_STAR   0xc0000081
#define MSR_LSTAR  0xc0000082
#define MSR_FMASK  0xc0000084
#define EFER_SCE   (1u << 0)

#define CR0_MP     (1ul << 1)
#define CR0_EM     (1ul << 2)
#define CR0_TS     (1ul << 3)
#define CR0_NE     (1ul << 5)
#define CR4_OSFXSR     (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CR4_SMEP       (1ul << 20)
#define CR4_SMAP       (1ul << 21)

/* RFLAGS bits SYSCALL clears (SDM Vol. 3A, 3.4.3): TF, IF, DF, AC, NT */
#define FMASK_BITS ((1ul << 8) | (1ul << 9) | (1ul << 10) | (1ul << 18) | (1ul << 14))

extern char syscall_entry[];
extern uint64_t user_copy_smap(void *, const void *, size_t), user_copy_plain(void *, const void *, size_t);
extern int64_t user_strncpy_smap(char *, const char *, size_t), user_strncpy_plain(char *, const char *, size_t);
extern char user_copy_insn_smap[], user_copy_insn_plain[], user_copy_done_smap[], user_copy_done_plain[];
extern char user_strncpy_insn_smap[], user_strncpy_insn_plain[];
extern char user_strncpy_fault_smap[], user_strncpy_fault_plain[];
extern char user_copy_smap_start[] __asm__("user_copy_smap"), user_copy_end[];

static bool smep, smap;      /* read-mostly boot facts: the same on every core */

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }

void hal_user_init_core(void)
{
    uint32_t a, b, c, d;
    uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;

    cpuid(7, 0, &a, &b, &c, &d);
    smep = (b >> 7) & 1;
    smap = (b >> 20) & 1;
    if (smep)
        cr4 |= CR4_SMEP;
    if (smap)
        cr4 |= CR4_SMAP;
    write_cr4(cr4);
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* STAR[47:32]: kernel CS (SS = +8); STAR[63:48]: base of the user selectors,
       SYSRET loads CS = base + 16, SS = base + 8 (SDM Vol. 2B, SYSRET) */
    wrmsr(MSR_STAR, ((uint64_t)((GDT_UCODE32 * 8) | 3) << 48) | ((uint64_t)(GDT_KCODE * 8) << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_FMASK, FMASK_BITS);
    wrmsr(MSR_KGS_BASE, 0);
}

bool hal_user_smep(void) { return smep; }
bool hal_user_smap(void) { return smap; }

void hal_fpu_init_state(void *area)
{
    memset(area, 0, HAL_FPU_SIZE);
    *(uint16_t *)area = 0x37f;                         /* FCW: all exceptions masked */
    *(uint32_t *)((char *)area + 24) = 0x1f80;         /* MXCSR: all masked, round to nearest */
}

void hal_fpu_save(void *area)
{
    __asm__ volatile("fxsave64 (%0)" :: "r"(area) : "memory");
}

void hal_fpu_restore(const void *area)
{
    __asm__ volatile("fxrstor64 (%0)" :: "r"(area) : "memory");
}

int hal_copy_from_user(void *dst, uint64_t usrc, size_t n)
{
    if (!hal_user_range_ok(usrc, n))
        return -EFAULT;
    if (n == 0)
        return 0;
    return (smap ? user_copy_smap : user_copy_plain)(dst, (const void *)usrc, n) ? -EFAULT : 0;
}

int hal_copy_to_user(uint64_t udst, const void *src, size_t n)
{
    if (!hal_user_range_ok(udst, n))
        return -EFAULT;
    if (n == 0)
        return 0;
    return (smap ? user_copy_smap : user_copy_plain)((void *)udst, src, n) ? -EFAULT : 0;
}

int64_t hal_strncpy_from_user(char *dst, uint64_t usrc, size_t cap)
{
    size_t max = cap;
    int64_t len;

    if (usrc >= USER_END)
        return -EFAULT;
    if (max > USER_END - usrc)
        max = USER_END - usrc;
    len = (smap ? user_strncpy_smap : user_strncpy_plain)(dst, (const char *)usrc, max);
    if (len < 0)
        return -EFAULT;
    if ((size_t)len == max)
        return max == cap ? -ENAMETOOLONG : -EFAULT;
    return len;
}

bool hal_user_copy_rip(uint64_t rip)
{
    return rip >= (uint64_t)user_copy_smap_start && rip < (uint64_t)user_copy_end;
}

bool hal_user_fixup(trap_frame_t *f)
{
    if (f->rip == (uint64_t)user_copy_insn_smap) {
        f->rip = (uint64_t)user_copy_done_smap;
        return true;
    }
    if (f->rip == (uint64_t)user_copy_insn_plain) {
        f->rip = (uint64_t)user_copy_done_plain;
        return true;
    }
    if (f->rip == (uint64_t)user_strncpy_insn_smap) {
        f->rip = (uint64_t)user_strncpy_fault_smap;
        return true;
    }
    if (f->rip == (uint64_t)user_strncpy_insn_plain) {
        f->rip = (uint64_t)user_strncpy_fault_plain;
        return true;
    }
    return false;
}
