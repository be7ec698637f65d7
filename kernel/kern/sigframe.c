/*
 * sigframe.c - the user-mode frame of a signal handler and rt_sigreturn(2),
 * laid out as Linux x86_64 does (arch/x86/kernel/signal.c, signal_64.c,
 * arch/x86/include/asm/sigframe.h), and sigaltstack(2). See signal.h.
 */
#include "signal.h"
#include "thread.h"
#include "trap.h"
#include "cpu.h"
#include "hal_user.h"
#include "kstring.h"
#include "uapi/errno.h"

/* struct rt_sigframe of x86_64 (arch/x86/include/asm/sigframe.h): what rsp points at */
typedef struct rt_sigframe_s {
    uint64_t    pretcode;        /* return address of the handler: sa_restorer */
    kucontext_t uc;
    ksiginfo_t  info;
} rt_sigframe_t;

#define RED_ZONE      128        /* bytes below rsp the x86_64 ABI lets a function use */
#define FPU_ALIGN     64         /* Linux aligns the FPU area for XSAVE; FXSAVE needs 16 */
#define FXSAVE_MXCSR  24         /* byte offsets in the FXSAVE image (SDM Vol. 1, 10.5.1) */
#define FXSAVE_MXCSR_MASK 28

/* RFLAGS bits (SDM Vol. 1, 3.4.3) */
#define RF_CF 0x1u
#define RF_PF 0x4u
#define RF_AF 0x10u
#define RF_ZF 0x40u
#define RF_SF 0x80u
#define RF_TF 0x100u
#define RF_DF 0x400u
#define RF_OF 0x800u
#define RF_RF 0x10000u
#define RF_AC 0x40000u
/* what rt_sigreturn takes from the frame: Linux's FIX_EFLAGS without TF and RF */
#define RF_USER (RF_CF | RF_PF | RF_AF | RF_ZF | RF_SF | RF_DF | RF_OF | RF_AC)

/* Is @sp on thread @t's alternate stack? */
static bool on_altstack(const thread_t *t, uint64_t sp)
{
    const kstack_t *ss = &t->sig_altstack;

    return ss->ss_size && sp > ss->ss_sp && sp - ss->ss_sp <= ss->ss_size;
}

static int32_t altstack_flags(const thread_t *t, uint64_t sp)
{
    if (!t->sig_altstack.ss_size)
        return SS_DISABLE;
    return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

int sigframe_setup(trap_frame_t *frame, int sig, const ksigaction_t *act, const ksiginfo_t *info)
{
    thread_t *t = thread_current();
    uint8_t fpu[HAL_FPU_SIZE] __attribute__((aligned(16)));
    rt_sigframe_t f;
    ksigcontext_t *sc = &f.uc.uc_mcontext;
    uint64_t sp = frame->rsp, fp_addr;

    if (!(act->flags & SA_RESTORER))
        return -EFAULT;                  /* x86_64 Linux: no restorer, no frame */
    if ((act->flags & SA_ONSTACK) && t->sig_altstack.ss_size && !on_altstack(t, sp))
        sp = t->sig_altstack.ss_sp + t->sig_altstack.ss_size;
    else
        sp -= RED_ZONE;
    fp_addr = (sp - HAL_FPU_SIZE) & ~(uint64_t)(FPU_ALIGN - 1);
    sp = ((fp_addr - sizeof(f) + 8) & ~15ull) - 8;   /* Linux's align_sigframe */

    memset(&f, 0, sizeof(f));
    f.pretcode = act->restorer;
    f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
    f.uc.uc_stack.ss_sp = t->sig_altstack.ss_sp;
    f.uc.uc_stack.ss_flags = altstack_flags(t, frame->rsp);
    f.uc.uc_stack.ss_size = t->sig_altstack.ss_size;
    sc->r8 = frame->r8;   sc->r9 = frame->r9;   sc->r10 = frame->r10; sc->r11 = frame->r11;
    sc->r12 = frame->r12; sc->r13 = frame->r13; sc->r14 = frame->r14; sc->r15 = frame->r15;
    sc->rdi = frame->rdi; sc->rsi = frame->rsi; sc->rbp = frame->rbp; sc->rbx = frame->rbx;
    sc->rdx = frame->rdx; sc->rax = frame->rax; sc->rcx = frame->rcx; sc->rsp = frame->rsp;
    sc->rip = frame->rip;
    sc->eflags = frame->rflags;
    sc->cs = (uint16_t)frame->cs;
    sc->ss = (uint16_t)frame->ss;
    sc->err = frame->vector < 32 ? frame->error : 0;
    sc->trapno = frame->vector < 32 ? frame->vector : 0;
    sc->oldmask = t->sig_restore ? t->sig_saved : t->sig_blocked;
    sc->fpstate = fp_addr;
    f.uc.uc_sigmask = sc->oldmask;       /* rt_sigsuspend: its caller's mask comes back */
    f.info = *info;

    irq_disable();
    hal_fpu_save(fpu);                   /* the live user registers */
    irq_enable();
    if (hal_copy_to_user(fp_addr, fpu, sizeof(fpu)) || hal_copy_to_user(sp, &f, sizeof(f)))
        return -EFAULT;

    frame->rip = act->handler;
    frame->rsp = sp;
    frame->rdi = (uint64_t)sig;
    frame->rsi = sp + __builtin_offsetof(rt_sigframe_t, info);
    frame->rdx = sp + __builtin_offsetof(rt_sigframe_t, uc);
    frame->rax = 0;
    frame->rflags &= ~(uint64_t)(RF_DF | RF_RF | RF_TF);
    frame->cs = SEL_UCODE_RPL3;
    frame->ss = SEL_UDATA_RPL3;
    t->sig_blocked = signal_handler_mask(t->sig_blocked, act, sig);
    t->sig_restore = 0;
    hal_fpu_init_state(fpu);             /* the handler starts with a clean FPU (Linux too) */
    irq_disable();
    hal_fpu_restore(fpu);
    irq_enable();
    return 0;
}

/* A user address that iretq may load into RIP or RSP (canonical, lower half). */
static bool user_canonical(uint64_t a)
{
    return a < USER_END;
}

int64_t sigframe_return(trap_frame_t *frame)
{
    thread_t *t = thread_current();
    uint8_t fpu[HAL_FPU_SIZE] __attribute__((aligned(16)));
    uint8_t cur[HAL_FPU_SIZE] __attribute__((aligned(16)));
    uint64_t at = frame->rsp - 8;        /* the handler's ret popped pretcode */
    uint64_t handler_sp = frame->rsp;
    rt_sigframe_t f;
    const ksigcontext_t *sc = &f.uc.uc_mcontext;
    uint32_t mxcsr, mask;

    if (hal_copy_from_user(&f, at, sizeof(f)) || !user_canonical(sc->rip) ||
        !user_canonical(sc->rsp))
        process_fault_kill(frame, SIGSEGV, at);
    if (sc->fpstate) {
        if (hal_copy_from_user(fpu, sc->fpstate, sizeof(fpu)))
            process_fault_kill(frame, SIGSEGV, sc->fpstate);
        irq_disable();
        hal_fpu_save(cur);
        irq_enable();
        memcpy(&mask, cur + FXSAVE_MXCSR_MASK, 4);
        if (mask == 0)
            mask = 0xffbf;               /* SDM Vol. 1, 11.6.6: the default MXCSR_MASK */
        memcpy(&mxcsr, fpu + FXSAVE_MXCSR, 4);
        mxcsr &= mask;                   /* a reserved bit set would fault in FXRSTOR */
        memcpy(fpu + FXSAVE_MXCSR, &mxcsr, 4);
        memcpy(fpu + FXSAVE_MXCSR_MASK, &mask, 4);
    } else {
        hal_fpu_init_state(fpu);
    }
    frame->r8 = sc->r8;   frame->r9 = sc->r9;   frame->r10 = sc->r10; frame->r11 = sc->r11;
    frame->r12 = sc->r12; frame->r13 = sc->r13; frame->r14 = sc->r14; frame->r15 = sc->r15;
    frame->rdi = sc->rdi; frame->rsi = sc->rsi; frame->rbp = sc->rbp; frame->rbx = sc->rbx;
    frame->rdx = sc->rdx; frame->rax = sc->rax; frame->rcx = sc->rcx; frame->rsp = sc->rsp;
    frame->rip = sc->rip;
    frame->rflags = (frame->rflags & ~(uint64_t)RF_USER) | (sc->eflags & RF_USER) | RFLAGS_IF;
    frame->cs = SEL_UCODE_RPL3;
    frame->ss = SEL_UDATA_RPL3;
    frame->vector = VEC_SYSCALL;
    frame->error = (uint64_t)-1;         /* no restart of whatever rax says (Linux: orig_ax -1) */
    t->sig_blocked = f.uc.uc_sigmask & ~SIG_UNBLOCKABLE;
    /* Linux's restore_altstack: as sigaltstack(2) at the handler's stack pointer
     * (so refused, silently, when the handler ran on the alternate stack) */
    (void)sigframe_altstack(&f.uc.uc_stack, NULL, handler_sp);
    irq_disable();
    hal_fpu_restore(fpu);
    irq_enable();
    return (int64_t)sc->rax;
}

int sigframe_altstack(const kstack_t *ss, kstack_t *old, uint64_t user_rsp)
{
    thread_t *t = thread_current();

    if (old) {
        *old = t->sig_altstack;
        old->ss_flags = altstack_flags(t, user_rsp);
    }
    if (!ss)
        return 0;
    if (on_altstack(t, user_rsp))
        return -EPERM;
    if (ss->ss_flags == SS_DISABLE) {
        memset(&t->sig_altstack, 0, sizeof(t->sig_altstack));
        return 0;
    }
    if (ss->ss_flags != 0 && ss->ss_flags != SS_ONSTACK)
        return -EINVAL;                  /* SS_AUTODISARM is not supported */
    if (ss->ss_size < MINSIGSTKSZ)
        return -ENOMEM;
    t->sig_altstack = *ss;
    t->sig_altstack.ss_flags = 0;
    return 0;
}
