/*
 * kernel_init.c - from GRUB to every core in its idle loop.
 *
 * 1. The bootstrap core (BSP) parses multiboot2 and ACPI, builds the
 *    topology, calibrates the timers and wakes the first core of every
 *    other cluster (INIT-SIPI-SIPI, one trampoline page per cluster).
 * 2. The first core of each cluster (the BSP for its own) builds its
 *    cluster in the cluster's memory (cluster_init), moves to a stack
 *    there, and wakes its local cores.
 * 3. Every core checks in; the BSP prints the boot report; the cores then
 *    meet at kernel barriers: identity map dropped, timers checked,
 *    self-tests (ktest=...), power-off (poweroff) or idle.
 */
#include <stdint.h>
#include "boot_info.h"
#include "cluster.h"
#include "cmdline.h"
#include "barrier.h"
#include "printk.h"
#include "kmem.h"
#include "kstring.h"
#include "itimer.h"
#include "uapi/errno.h"
#include "ksym.h"
#include "cpio.h"
#include "ktest.h"
#include "cpu.h"
#include "hal_cpu.h"
#include "apic.h"
#include "paging.h"
#include "smp.h"
#include "trap.h"
#include "ipi.h"
#include "serial.h"
#include "ioapic.h"
#include "sched.h"
#include "thread.h"
#include "rpc.h"
#include "dqdt.h"
#include "trace.h"
#include "bench.h"
#include "process.h"
#include "vfs.h"
#include "syscall.h"
#include "procfs.h"
#include "hal_user.h"

#ifndef ARCHIPEL_VERSION
#define ARCHIPEL_VERSION "dev"
#endif

#define CORE_STACK_ORDER    2          /* 16 KiB kernel stacks */
#define AP_CHECKIN_MS       5000       /* a started core must reach C within this */
#define ONLINE_TIMEOUT_MS   60000      /* all cores online within this, else report */
#define STATUS_BOOT_REFUSED 4          /* exit status: machine description refused */
#define BOOT_RESERVED_FIRST_LOADED 2   /* reserved[0]: low memory, [1]: kernel; then MBI, modules */

boot_info_t boot_info;

extern char __kernel_phys_start[], __kernel_phys_end[];
extern char __text_start[], __kernel_end[];
void hal_switch_stack(uint64_t stack_top, void (*fn)(void *), void *arg)
    __attribute__((noreturn));

/*
 * Early identity of each cluster's first core, before its cluster_t exists.
 * Its early stack is the page after its cluster's trampoline (smp.h); the
 * NMI / double fault stack meanwhile is the upper part of the trampoline
 * page itself, above the trampoline code.
 */
static core_t boot_cores[MAX_CLUSTERS];
static uint8_t bsp_ist_stack[2048] __attribute__((aligned(16)));

static uint64_t early_ist_top(uint32_t cxy)
{
    return (uint64_t)phys_to_virt(smp_trampoline_phys(cxy) + PAGE_SIZE);
}

static volatile uint32_t cores_online;     /* cores that reached core_online() */
static volatile uint32_t boot_released;    /* the BSP let everyone past the report */

static void core_online(core_t *core) __attribute__((noreturn));

/* ---- helpers --------------------------------------------------------------- */

/* Ends the boot on a machine we cannot run on: message, then status 4. */
static void boot_refuse(const char *what, const char *why) __attribute__((noreturn));
static void boot_refuse(const char *what, const char *why)
{
    printk("boot refused: %s: %s", what, why);
    hal_poweroff(STATUS_BOOT_REFUSED);
}

static void boot_reserve(uint64_t base, uint64_t end)
{
    if (boot_info.nreserved == BOOT_MAX_RESERVED)
        panic("boot: more than %d reserved ranges", BOOT_MAX_RESERVED);
    boot_info.reserved[boot_info.nreserved].base = base;
    boot_info.reserved[boot_info.nreserved].end  = end;
    boot_info.nreserved++;
}

/*
 * Halts until *@v >= @value or @timeout_ms elapse (0: no limit); timer ticks
 * and wake IPIs re-check. Returns with interrupts disabled.
 * @return true when the value was reached.
 */
static bool wait_for_count(volatile uint32_t *v, uint32_t value, uint64_t timeout_ms)
{
    uint64_t deadline = rdtsc() + tsc_from_ms(timeout_ms);

    irq_disable();
    while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < value) {
        if (timeout_ms && rdtsc() > deadline)
            return false;
        cpu_sti_hlt();
        irq_disable();
    }
    return true;
}

/* ACPI map callback: physical memory through the direct map. */
static const void *acpi_map_direct(uint64_t phys, size_t len, void *ctx)
{
    uint64_t limit = *(uint64_t *)ctx;

    if (phys + len < phys || phys + len > limit)
        return NULL;
    return phys_to_virt(phys);
}

/* ---- bootstrap core ------------------------------------------------------- */

static void boot_parse_multiboot(uint32_t magic, uint32_t mbi_phys)
{
    mb2_info_t *mb2 = &boot_info.mb2;
    const uint32_t *mbi = phys_to_virt(mbi_phys);
    int rc;

    if (magic != MB2_BOOTLOADER_MAGIC)
        boot_refuse("multiboot2", "not started by a multiboot2 boot loader (bad magic)");
    rc = mb2_parse(magic, mbi, mbi[0], mb2);
    if (rc)
        boot_refuse("multiboot2", "malformed boot information");
    if (mb2->cmdline)
        snprintf(boot_info.cmdline, sizeof(boot_info.cmdline), "%s", mb2->cmdline);
    printk("Archipel %s booting: loader \"%s\", command line \"%s\"", ARCHIPEL_VERSION,
           mb2->loader_name ? mb2->loader_name : "?", boot_info.cmdline);
    cmdline_parse(&boot_info);

    for (uint32_t i = 0; i < mb2->nmmap; i++) {
        const mb2_mmap_t *m = &mb2->mmap[i];
        if (m->type == MB2_MEM_AVAILABLE && m->base + m->length > boot_info.ram_end)
            boot_info.ram_end = m->base + m->length;
    }
    if (mb2->nmmap_dropped)
        pr_warn("multiboot2: %u memory map entries beyond %d ignored", mb2->nmmap_dropped,
                MB2_MAX_MMAP);

    /* what no PPM may ever hand out: low memory and the kernel, then what GRUB loaded */
    boot_reserve(0, 0x100000);                      /* real-mode area, AP start-up area */
    boot_reserve((uint64_t)__kernel_phys_start, (uint64_t)__kernel_phys_end);
    boot_reserve(mbi_phys, mbi_phys + mbi[0]);
    for (uint32_t i = 0; i < mb2->nmods; i++)
        boot_reserve(mb2->mod[i].start, mb2->mod[i].end);
    if (mb2->nmods == 0) {
        pr_warn("initramfs: the boot loader passed no module");
    } else {
        boot_info.initrd_phys = mb2->mod[0].start;
        boot_info.initrd_size = mb2->mod[0].end - mb2->mod[0].start;
        int n = cpio_count(phys_to_virt(boot_info.initrd_phys), boot_info.initrd_size);
        if (n < 0)
            pr_warn("initramfs: module '%s' (%lu bytes) is not a cpio newc archive",
                    mb2->mod[0].string, boot_info.initrd_size);
        else
            printk("initramfs: module '%s' at 0x%lx, %lu bytes, cpio newc with %d entries",
                   mb2->mod[0].string, boot_info.initrd_phys, boot_info.initrd_size, n);
    }
    if (ksym_init(mb2, boot_reserve) == 0)
        pr_warn("no kernel symbols from the boot loader: backtraces show addresses only");
}

static void boot_parse_acpi(void)
{
    acpi_info_t *acpi = &boot_info.acpi;
    uint64_t mapped = boot_info.ram_end > (4ull << 30) ? boot_info.ram_end : (4ull << 30);
    int rc;

    if (boot_info.mb2.rsdp == NULL)
        boot_refuse("ACPI", "the boot loader passed no RSDP (multiboot2 tags 14/15)");
    rc = paging_init(boot_info.ram_end);
    if (rc)
        boot_refuse("memory", "RAM ends beyond what the boot direct map can cover (512 GiB "
                    "with 1 GiB pages, 20 GiB without)");
    rc = acpi_parse(boot_info.mb2.rsdp, boot_info.mb2.rsdp_len, acpi_map_direct, &mapped, acpi);
    if (rc)
        boot_refuse("ACPI", acpi->error);
    for (uint32_t i = 0; i < acpi->nwarn; i++)
        pr_warn("ACPI: %s", acpi->warn[i]);
    paging_set_uncached(acpi->lapic_phys);
    if (acpi->ioapic_phys)
        paging_set_uncached(acpi->ioapic_phys);
    printk("ACPI: OEM %s, revision %u, %u processors, %u I/O APIC(s), SRAT %s, SLIT %s",
           acpi->oem_id, acpi->rsdp_revision, acpi->ncpus, acpi->nioapics,
           acpi->has_srat ? "yes" : "no", acpi->has_slit ? "yes" : "no");

    rc = topo_build(acpi, boot_info.ram_end, &boot_info.topo);
    if (rc)
        boot_refuse("topology", boot_info.topo.error);
    if (!boot_info.topo.from_srat)
        pr_warn("topology: %s", boot_info.topo.note[0]);
    else
        for (uint32_t i = 0; i < boot_info.topo.nnotes; i++)
            printk("topology: %s", boot_info.topo.note[i]);
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
        for (uint32_t l = 0; l < boot_info.topo.cluster[c].ncores; l++)
            if (boot_info.topo.cluster[c].apic_id[l] > 254)
                boot_refuse("topology", "APIC ID above 254 needs x2APIC mode, "
                            "which this kernel does not drive yet");
}

/* Checks that the AP start-up area is free RAM GRUB put nothing in. */
static void boot_check_trampolines(void)
{
    uint64_t lo = smp_trampoline_phys(0);
    uint64_t hi = smp_trampoline_phys(boot_info.topo.nclusters);

    bool usable = false;

    for (uint32_t i = 0; i < boot_info.mb2.nmmap; i++) {
        const mb2_mmap_t *m = &boot_info.mb2.mmap[i];
        if (m->type == MB2_MEM_AVAILABLE && m->base <= lo && m->base + m->length >= hi)
            usable = true;
    }
    if (!usable)
        boot_refuse("memory", "the memory map does not mark the AP start-up area "
                    "(0x10000 and up, below 640 KiB) available");
    for (uint32_t i = BOOT_RESERVED_FIRST_LOADED; i < boot_info.nreserved; i++)
        if (boot_info.reserved[i].base < hi && boot_info.reserved[i].end > lo)
            boot_refuse("memory", "the boot loader placed data in the AP start-up "
                        "area (0x10000 and up)");
}

static void boot_report(void)
{
    const topology_t *t = &boot_info.topo;
    uint64_t total_mib = 0;
    char line[PRINTK_LINE_MAX];

    for (uint32_t c = 0; c < t->nclusters; c++)
        total_mib += (cluster_tbl[c]->mem_bytes + (1 << 19)) >> 20;
    printk("boot report: %u clusters, %u cores, %lu MiB", t->nclusters, t->ncores, total_mib);
    printk(" cxy  dom  cores  apic-ids         MiB  free-pages  ranges                            slit");
    for (uint32_t c = 0; c < t->nclusters; c++) {
        const topo_cluster_t *tc = &t->cluster[c];
        char apic[64], ranges[160];
        int n = 0, r = 0, len;

        apic[0] = ranges[0] = '\0';
        for (uint32_t l = 0; l < tc->ncores && n < (int)sizeof(apic); l++)
            n += snprintf(apic + n, sizeof(apic) - n, "%s%u", l ? "," : "", tc->apic_id[l]);
        for (uint32_t i = 0; i < tc->nranges && r < (int)sizeof(ranges); i++)
            r += snprintf(ranges + r, sizeof(ranges) - r, "%s0x%lx-0x%lx", i ? "," : "",
                          tc->range[i].base, tc->range[i].end - 1);
        len = snprintf(line, sizeof(line), "%4u %4u %6u  %-15s %4lu  %10lu  %-32s ", c,
                       tc->domain, tc->ncores, apic,
                       (cluster_tbl[c]->mem_bytes + (1 << 19)) >> 20, ppm_free_count(c), ranges);
        for (uint32_t d = 0; d < t->nclusters && len < (int)sizeof(line); d++)
            len += snprintf(line + len, sizeof(line) - len, " %u", t->distance[c][d]);
        printk("%s", line);
    }
}

static void boot_report_memory(void)
{
    uint64_t image = (uint64_t)(__kernel_phys_end - __kernel_phys_start);

    printk("memory: kernel image %lu KiB (text+data+bss) in cluster %u", image >> 10,
           boot_info.bsp_cxy);
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        cluster_t *cl = cluster_tbl[c];
        uint64_t used = cl->boot_bytes +
                        (cl->ppm.buddy.managed_pages - ppm_free_count(c)) * PAGE_SIZE;
        printk("memory: cluster %u: kernel uses %lu KiB (cluster_t %lu KiB, page descriptors "
               "and allocations %lu KiB)", c, used >> 10,
               ((sizeof(cluster_t) + PAGE_SIZE - 1) & PAGE_MASK) >> 10,
               (used - ((sizeof(cluster_t) + PAGE_SIZE - 1) & PAGE_MASK)) >> 10);
    }
}

/* ---- every cluster's first core ------------------------------------------ */

/* Local index of the core that initialises cluster @cxy (the BSP in its own). */
static uint32_t cluster_init_lid(uint32_t cxy)
{
    return cxy == boot_info.bsp_cxy ? boot_info.bsp_lid : 0;
}

/* Wakes the core of cluster @cxy, local index @lid, from a halt. */
static void wake_core(uint32_t cxy, uint32_t lid)
{
    lapic_send_ipi(boot_info.topo.cluster[cxy].apic_id[lid], VEC_WAKE);
}

/* Allocates 2^@order pages in the local cluster for a stack; returns its top. */
static uint64_t stack_alloc(unsigned order)
{
    page_t *p = ppm_alloc_pages(order);

    if (p == NULL)
        panic("no memory for a kernel stack in cluster %u", core_self()->cxy);
    return (uint64_t)ppm_page_to_virt(p) + (PAGE_SIZE << order);
}

/* Gives @core its kernel stack and its NMI / double fault stack, in its cluster. */
static void core_stacks_alloc(core_t *core)
{
    core->stack_top    = stack_alloc(CORE_STACK_ORDER);
    core->arch.ist_top = stack_alloc(IST_STACK_ORDER);
}

static void kernel_core_entry(void *arg);

/* On the cluster's own stack: wake the local cores, then go online. */
static void cluster_start_cores(void *arg)
{
    core_t *core = arg;
    cluster_t *cl = core->cluster;

    hal_cpu_init(core, &core->arch);
    lapic_timer_start(TICK_US, boot_info.lapic_ticks_per_ms);
    for (uint32_t l = 0; l < cl->ncores; l++) {
        core_t *other = &cl->core[l];
        int rc;

        if (other == core)
            continue;
        core_stacks_alloc(other);
        rc = smp_start_core(cl->cxy, other->apic_id, kernel_core_entry, other, other->stack_top);
        if (rc == 0 && !wait_for_count(&other->online, 1, AP_CHECKIN_MS))
            rc = -ETIMEDOUT;
        if (rc)
            printk("error: core %u.%u (APIC ID %u) did not start", cl->cxy, l, other->apic_id);
    }
    core_online(core);
}

/* Builds the cluster of the calling core, then continues on a local stack. */
static void cluster_bringup(uint32_t cxy, uint32_t lid) __attribute__((noreturn));
static void cluster_bringup(uint32_t cxy, uint32_t lid)
{
    cluster_t *cl = cluster_init(cxy);
    core_t *core;

    if (cl == NULL)
        panic("cluster %u: no usable memory range can hold its cluster_t and page descriptors",
              cxy);
    core_self()->cluster = cl;             /* the early identity now allocates here */
    core = &cl->core[lid];
    core->apic_id_seen = lapic_id();
    core_stacks_alloc(core);
    hal_cpu_init(core, &core->arch);      /* now the core's final identity */
    hal_switch_stack(core->stack_top, cluster_start_cores, core);
}

/* Entry of a cluster's first core (not the BSP), from the trampoline. */
static void kernel_cluster_entry(void *arg)
{
    core_t *tmp = arg;

    hal_cpu_init(tmp, &tmp->arch);
    lapic_init();
    tmp->online = 1;                       /* checked in: trampoline page free again */
    wake_core(boot_info.bsp_cxy, boot_info.bsp_lid);
    cluster_bringup(tmp->cxy, tmp->lid);
}

/* Entry of the other cores, from their cluster's trampoline. */
static void kernel_core_entry(void *arg)
{
    core_t *core = arg;

    hal_cpu_init(core, &core->arch);
    lapic_init();
    core->apic_id_seen = lapic_id();
    lapic_timer_start(TICK_US, boot_info.lapic_ticks_per_ms);
    core_online(core);
}

/* ---- all cores -------------------------------------------------------------- */

/*
 * crash=...: a deliberate fault on the calling core, through two named
 * frames so that the backtrace has something to show.
 */
/* crash=stack_smash: writes 64 bytes into a 16-byte array of its own frame. */
static void __attribute__((noinline, noclone)) crash_smash(volatile size_t n)
{
    char buf[16];
    volatile char *volatile p = buf;

    for (size_t i = 0; i < n; i++)
        p[i] = (char)0xa5;
}

static void __attribute__((noinline)) crash_fault(const char *kind)
{
#ifndef DEBUG
    if (!strncmp(kind, "kcm_", 4))
        panic("crash=%s: the KCM checks are in DEBUG kernels only", kind);
#endif
    if (!strcmp(kind, "stack_smash")) {
#ifndef DEBUG
        panic("crash=stack_smash: the stack protector is in DEBUG kernels only");
#endif
        crash_smash(64);
        panic("crash=stack_smash: the overwritten canary was not detected");
    }
    if (!strcmp(kind, "kcm_use_after_free")) {
        /*
         * A write into a freed object: reported when the KCM hands it out
         * again. @keep stays allocated so that the page is not given back.
         */
        char *keep = kmem_alloc(100), *obj = kmem_alloc(100);

        (void)keep;
        kmem_free(obj);
        obj[40] = 1;
        for (int i = 0; i < 4096 && kmem_alloc(100) != obj; i++)
            ;
        panic("crash=kcm_use_after_free: the write after free was not detected");
    }
    if (!strcmp(kind, "kcm_double_free")) {
        char *keep = kmem_alloc(100), *obj = kmem_alloc(100);

        (void)keep;

        kmem_free(obj);
        kmem_free(obj);
        panic("crash=kcm_double_free: the second free was not detected");
    }
    if (!strcmp(kind, "pagefault"))
        *(volatile uint64_t *)0xdead000 = 1;       /* unmapped once the identity map is gone */
    else if (!strcmp(kind, "ud"))
        __asm__ volatile("ud2");
    else
        panic("deliberate panic (crash=panic)");
}

/* crash=stall: two locks, the second held by the stalling core's main thread forever. */
static queuelock_t crash_own, crash_want;

/* crash=stall: a thread that hangs on crash_want, holding crash_own. */
static void crash_stall_blocked(void *arg)
{
    (void)arg;
    queuelock_acquire(&crash_own);
    queuelock_acquire(&crash_want);
    panic("crash=stall: the hung thread got its lock");
}

/* crash=stall: spins forever with interrupts off (a hard lockup). */
static void __attribute__((noinline, noreturn)) crash_stall_spin(void)
{
    irq_disable();
    for (;;)
        cpu_pause();
}

static bool crash_hung_reported(const void *arg)
{
    const cluster_t *cl = arg;

    for (uint32_t l = 0; l < cl->ncores; l++)
        if (__atomic_load_n(&cl->core[l].hung_reports, __ATOMIC_ACQUIRE))
            return true;
    return false;
}

/*
 * crash=stall (with small hung_task_timeout= and lockup_timeout=): a kernel
 * thread of this core hangs on a queuelock until the hung-task detector
 * reports it, then this core spins with interrupts off until its
 * neighbour's watcher reports the hard lockup; the BSP then powers off
 * (tests/harness/scenarios.py, scenario "stall").
 */
static void crash_stall(void)
{
    core_t *core = core_self();
    uint64_t deadline = rdtsc() + tsc_from_ms(60000);

    queuelock_init(&crash_own, "crash stall own", RANK_CRASH_OWN);
    queuelock_init(&crash_want, "crash stall wanted", RANK_CRASH_WANT);
    queuelock_acquire(&crash_want);
    if (thread_create(core->lid, THREAD_KERNEL, crash_stall_blocked, NULL, "stall blocked") ==
        NULL)
        panic("crash=stall: no thread");
    while (!crash_hung_reported(core->cluster) && rdtsc() < deadline)
        thread_sleep_until(rdtsc() + tsc_from_ms(100), crash_hung_reported, core->cluster);
    printk("crash test: core %u.%u now spins with interrupts off", core->cxy, core->lid);
    crash_stall_spin();
}

/* Lockups reported by every core's watcher so far (crash=stall). */
static bool crash_lockup_reported(const void *arg)
{
    (void)arg;
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
        for (uint32_t l = 0; l < cluster_tbl[c]->ncores; l++)
            if (hal_remote_l64(XPTR(c, &cluster_tbl[c]->core[l].lockup.reports)))
                return true;
    return false;
}

static void __attribute__((noinline)) crash_test(const char *kind)
{
    printk("crash test: core %u.%u faults on purpose (crash=%s)", core_self()->cxy,
           core_self()->lid, kind);
    if (!strcmp(kind, "stall"))
        crash_stall();
    crash_fault(kind);
    compiler_barrier();
}

static bool core_is_bsp(const core_t *core)
{
    return core->cxy == boot_info.bsp_cxy && core->lid == boot_info.bsp_lid;
}

/* Waits until every core of every cluster is online; prints who is missing. */
static bool bsp_wait_all_online(void)
{
    const topology_t *t = &boot_info.topo;

    if (wait_for_count(&cores_online, t->ncores, ONLINE_TIMEOUT_MS))
        return true;
    printk("error: only %u of %u cores online after %u s", cores_online, t->ncores,
           ONLINE_TIMEOUT_MS / 1000);
    for (uint32_t c = 0; c < t->nclusters; c++) {
        for (uint32_t l = 0; l < t->cluster[c].ncores; l++) {
            if (cluster_tbl[c] == NULL)
                printk("error: cluster %u never initialised", c);
            else if (!cluster_tbl[c]->core[l].online)
                printk("error: core %u.%u (APIC ID %u) is not online", c, l,
                       t->cluster[c].apic_id[l]);
        }
    }
    return false;
}

static bool bsp_check_timers(void)
{
    uint32_t ncores = boot_info.topo.ncores;
    uint64_t deadline = rdtsc() + tsc_from_ms(2000 + 3 * TICK_US / 1000);
    uint32_t ticking = 0;
    uint64_t flags = irq_save();

    while (rdtsc() < deadline) {
        ticking = 0;
        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
            for (uint32_t l = 0; l < cluster_tbl[c]->ncores; l++)
                if (cluster_tbl[c]->core[l].ticks >= 3)
                    ticking++;
        if (ticking == ncores)
            break;
        cpu_sti_hlt();
        irq_disable();
    }
    irq_restore(flags);
    if (ticking == ncores)
        printk("timer: all %u cores ticking every %u us", ncores, TICK_US);
    else
        printk("error: only %u of %u cores have a ticking LAPIC timer", ticking, ncores);
    return ticking == ncores;
}

/* The file system (initramfs, /dev, /proc, /sys) and the system-call tables. BSP. */
static void fs_boot_init(void)
{
    int rc;

    syscall_init();
    printk("user mode: SYSCALL entry, NX on, SMEP %s, SMAP %s (CPUID.07H:EBX)",
           hal_user_smep() ? "on" : "off (not in this CPU)",
           hal_user_smap() ? "on" : "off (not in this CPU)");
    if (boot_info.initrd_size == 0) {
        rc = vfs_init(NULL, 0);
    } else {
        rc = vfs_init(phys_to_virt(boot_info.initrd_phys), boot_info.initrd_size);
    }
    if (rc)
        pr_warn("vfs: the initramfs could not be unpacked (error %d)", rc);
    procfs_init();
}

/*
 * Unpacks the initramfs and starts PID 1 (init=PATH, /sbin/init by default,
 * with the words after "--" as arguments), unless self-tests, benchmarks or
 * a crash test own this boot, or init=none. BSP. @return true when init runs.
 */
static bool start_init(void)
{
    const char *path = boot_info.opt_init;
    int rc;

    if (boot_info.opt_ktest || boot_info.opt_bench || boot_info.opt_crash ||
        strcmp(path, "none") == 0)
        return false;
    boot_info.init_argv[0] = (char *)path;
    boot_info.init_argv[1 + boot_info.init_argc] = NULL;
    printk("init: starting %s with %u argument%s", path, boot_info.init_argc,
           boot_info.init_argc == 1 ? "" : "s");
    rc = process_init_start(path, boot_info.init_argv);
    if (rc) {
        printk("init: cannot start %s: error %d; powering off with status 1", path, rc);
        hal_poweroff(1);
    }
    return true;
}

/*
 * The rest of the boot, in a kernel thread of every core: timers checked,
 * self-tests, benchmarks, then power-off or idle.
 */
static void kernel_main(void *arg)
{
    core_t *core = core_self();
    uint32_t status = 0;

    (void)arg;
    if (core_is_bsp(core))
        fs_boot_init();
    kernel_barrier();
    if (core_is_bsp(core) && !bsp_check_timers())
        status = 1;
    if (boot_info.opt_ktest) {
        uint32_t failed = ktest_run_all();
        if (failed)
            status = 1;
    }
    if (boot_info.opt_bench && core_is_bsp(core))
        bench_run(boot_info.opt_bench);
    kernel_barrier();
    if (boot_info.opt_crash && core->gid == boot_info.topo.ncores - 1)
        crash_test(boot_info.opt_crash);
    if (core_is_bsp(core)) {
        if (boot_info.opt_crash && !strcmp(boot_info.opt_crash, "stall")) {
            uint64_t deadline = rdtsc() + tsc_from_ms(90000);

            while (!crash_lockup_reported(NULL) && rdtsc() < deadline)
                thread_sleep_until(rdtsc() + tsc_from_ms(100), crash_lockup_reported, NULL);
        } else if (boot_info.opt_crash) {
            udelay(1000000);                /* the crash ends the run first */
        }
        trace_drain();
        if (start_init())
            return;                         /* init powers the machine off when it is done */
        if (boot_info.opt_poweroff) {
            printk("poweroff: status %u", status);
            trace_drain_final();
            hal_poweroff(status);
        }
        printk("idle: no init program; every core is in its idle loop "
               "(quit QEMU with Ctrl-A X)");
    }
}

/* The idle thread: frees exited threads, drains the trace (BSP), halts. */
static void idle_loop(core_t *core) __attribute__((noreturn));
static void idle_loop(core_t *core)
{
    bool bsp = core_is_bsp(core);
    uint64_t next_watchdog = rdtsc() + tsc_from_ms(1000);

    for (;;) {
        sched_reap();
        if (bsp) {
            trace_drain();
#ifdef DEBUG
            if (rdtsc() > next_watchdog) {
                rpc_watchdog(RPC_WATCHDOG_MS);
                next_watchdog = rdtsc() + tsc_from_ms(1000);
            }
#endif
        }
        irq_disable();
        if (!core->sched.need_resched)
            cpu_sti_hlt();
        irq_enable();
        sched_yield();
    }
    (void)next_watchdog;
}

static void core_online(core_t *core)
{
    hal_user_init_core();                 /* SYSCALL, SMEP/SMAP, SSE for user programs */
    core->online = 1;
    __atomic_add_fetch(&core->cluster->cores_online, 1, __ATOMIC_RELEASE);
    __atomic_add_fetch(&cores_online, 1, __ATOMIC_RELEASE);
    wake_core(core->cxy, cluster_init_lid(core->cxy));
    wake_core(boot_info.bsp_cxy, boot_info.bsp_lid);

    if (core_is_bsp(core)) {
        if (!bsp_wait_all_online()) {
            printk("boot failed: powering off with status 1");
            hal_poweroff(1);
        }
        boot_report();
        printk("all %u cores online", boot_info.topo.ncores);
        printk("boot: %lu ms from kernel entry to all cores online",
               tsc_to_ms(rdtsc() - boot_info.boot_tsc));
        boot_report_memory();
        dqdt_init();
        if (trace_enabled)
            serial_trace_init();
        paging_drop_identity();
        __atomic_store_n(&boot_released, 1, __ATOMIC_RELEASE);
        lapic_send_ipi_others(VEC_WAKE);
    } else {
        wait_for_count(&boot_released, 1, 0);
    }
    paging_flush_local();                 /* the identity map is gone */
    sched_init();                         /* this context becomes the idle thread */
    trace_core_init();
    rpc_core_init();
    if (core->lid == cluster_init_lid(core->cxy))
        itimer_thread_start(core);        /* the cluster's ITIMER_REAL timers */
    if (core->cxy == 0 && core->lid == cluster_init_lid(0))
        console_start(core);              /* console input: thread and interrupt */
    if (thread_create(core->lid, THREAD_KERNEL, kernel_main, NULL, "main") == NULL)
        panic("no memory for the main thread of core %u.%u", core->cxy, core->lid);
    idle_loop(core);
}

/* ---- entry ----------------------------------------------------------------- */

__attribute__((no_stack_protector)) void kernel_boot(uint32_t magic, uint32_t mbi_phys)
{
    core_t *bsp = &boot_cores[0];
    uint32_t cxy, lid;

    stack_protector_init();              /* before any protected frame exists */
    bsp->self = bsp;
    bsp->arch.ist_top = (uint64_t)(bsp_ist_stack + sizeof(bsp_ist_stack));
    idt_init();
    ipi_init();
    hal_cpu_init(bsp, &bsp->arch);
    serial_init();
    boot_info.boot_tsc = rdtsc();

    boot_parse_multiboot(magic, mbi_phys);
    boot_parse_acpi();

    lapic_set_base(boot_info.acpi.lapic_phys);
    pic_disable();
    ioapic_init(boot_info.acpi.ioapic_phys, boot_info.acpi.ioapic_gsi_base);
    lapic_init();
    if (topo_find_apic(&boot_info.topo, lapic_id(), &cxy, &lid))
        boot_refuse("topology", "the bootstrap core is not in the MADT");
    boot_info.bsp_cxy = cxy;
    boot_info.bsp_lid = lid;
    lapic_calibrate(&boot_info.tsc_hz, &boot_info.lapic_ticks_per_ms);
    lapic_timer_start(TICK_US, boot_info.lapic_ticks_per_ms);
    printk("timer: TSC %lu MHz, LAPIC timer %u counts/ms (divide 16)",
           boot_info.tsc_hz / 1000000, boot_info.lapic_ticks_per_ms);
    boot_check_trampolines();

    /* early identities of the clusters' first cores */
    for (uint32_t c = 0, gid = 0; c < boot_info.topo.nclusters; c++) {
        core_t *tmp = &boot_cores[c];
        tmp->self = tmp;
        tmp->cxy  = c;
        tmp->lid  = (c == cxy) ? lid : 0;
        tmp->gid  = gid + tmp->lid;
        tmp->arch.ist_top = c == cxy ? (uint64_t)(bsp_ist_stack + sizeof(bsp_ist_stack))
                                     : early_ist_top(c);
        gid += boot_info.topo.cluster[c].ncores;
    }
    hal_cpu_init(&boot_cores[cxy], &boot_cores[cxy].arch);
    printk("topology: %u cluster%s, %u core%s (%s%s); starting the first core of each cluster",
           boot_info.topo.nclusters, boot_info.topo.nclusters == 1 ? "" : "s",
           boot_info.topo.ncores, boot_info.topo.ncores == 1 ? "" : "s",
           boot_info.topo.from_srat ? "ACPI SRAT" : "no SRAT",
           boot_info.topo.from_slit ? " + SLIT" : "");

    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        core_t *tmp = &boot_cores[c];
        int rc;

        if (c == cxy)
            continue;
        rc = smp_start_core(c, boot_info.topo.cluster[c].apic_id[0], kernel_cluster_entry, tmp,
                            smp_early_stack_top(c));
        if (rc == 0 && !wait_for_count(&tmp->online, 1, AP_CHECKIN_MS))
            rc = -ETIMEDOUT;
        if (rc)
            printk("error: first core of cluster %u (APIC ID %u) did not start", c,
                   boot_info.topo.cluster[c].apic_id[0]);
    }
    cluster_bringup(cxy, lid);
}
