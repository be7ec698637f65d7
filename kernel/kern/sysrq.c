/*
 * sysrq.c - the magic SysRq dumps (see sysrq.h).
 */
#include "sysrq.h"
#include "hung_task.h"
#include "lockup.h"
#include "rpc.h"
#include "core.h"
#include "cluster.h"
#include "boot_info.h"
#include "printk.h"
#include "uapi/errno.h"

static const char *sysrq_title(char key)
{
    switch (key) {
    case 't': return "show every thread";
    case 'w': return "show blocked threads";
    case 'l': return "show every core's backtrace";
    case 'r': return "show every cluster's RPC FIFO";
    case 'd': return "show held locks";
    default:  return NULL;
    }
}

static void sysrq_help(void)
{
    printk("sysrq: keys: t (threads) w (blocked threads) l (cores' backtraces) "
           "r (RPC FIFOs) d (held locks) h (this help)");
}

/* 'l': the backtrace of every online core. */
static void sysrq_cores(void)
{
    for (uint32_t c = 0; c < boot_info.topo.nclusters; c++) {
        cluster_t *cl = cluster_tbl[c];

        for (uint32_t l = 0; l < cl->ncores; l++) {
            core_t *core = &cl->core[l];

            if (core == core_self())
                lockup_show_self();
            else if (core->online)
                lockup_show_core(core);
        }
    }
}

int sysrq_handle(char key)
{
    const char *title = sysrq_title(key);
    uint32_t n = 0;

    if (title == NULL) {
        sysrq_help();
        return key == 'h' ? 0 : -EINVAL;
    }
    printk("sysrq: %c: %s", key, title);
    switch (key) {
    case 't':
    case 'w':
    case 'd':
#ifndef DEBUG
        if (key == 'd') {
            printk("sysrq: d: the locks held are recorded in DEBUG builds only");
            break;
        }
#endif
        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
            n += hung_task_scan(c, key == 't' ? HUNG_SCAN_ALL
                                   : key == 'w' ? HUNG_SCAN_BLOCKED : HUNG_SCAN_LOCKS, 0);
        printk("sysrq: %c: %u threads", key, n);
        break;
    case 'l':
        sysrq_cores();
        break;
    case 'r':
        for (uint32_t c = 0; c < boot_info.topo.nclusters; c++)
            rpc_fifo_dump(c);
        break;
    }
    printk("sysrq: %c: end", key);
    return 0;
}
