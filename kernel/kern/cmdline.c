/*
 * cmdline.c - kernel command-line options (see cmdline.h).
 */
#include "cmdline.h"
#include "kcm.h"
#include "printk.h"
#include "kstring.h"
#include "trace.h"
#include "hung_task.h"
#include "lockup.h"

/* Value of "@name=value" in @word, or NULL when @word is another option. */
static const char *option_value(const char *word, const char *name)
{
    size_t n = strlen(name);

    if (strncmp(word, name, n) == 0 && word[n] == '=')
        return word + n + 1;
    return NULL;
}

/*
 * Sets *@out to the decimal number of seconds @v (of option @word), at most
 * CMDLINE_MAX_SECONDS; warns and keeps *@out for anything else.
 */
static void option_seconds(const char *word, const char *v, uint32_t *out)
{
    uint64_t n = 0;
    const char *p = v;

    while (*p >= '0' && *p <= '9' && n <= CMDLINE_MAX_SECONDS)
        n = n * 10 + (uint64_t)(*p++ - '0');
    if (p == v || *p != '\0' || n > CMDLINE_MAX_SECONDS) {
        pr_warn("kernel command line: %s: expected seconds (0 to %u), ignored", word,
                CMDLINE_MAX_SECONDS);
        return;
    }
    *out = (uint32_t)n;
}

void cmdline_parse(boot_info_t *bi)
{
    char *p = bi->cmdline;

    bi->opt_ktest      = NULL;
    bi->opt_poweroff   = false;
    bi->opt_panic_halt = false;
    bi->opt_crash      = NULL;
    bi->opt_bench      = NULL;
    bi->opt_init       = "/sbin/init";
    bi->init_argc      = 0;
    trace_enabled      = false;
    while (*p) {
        char *word;
        const char *v;

        while (*p == ' ')
            p++;
        if (!*p)
            break;
        word = p;
        while (*p && *p != ' ')
            p++;
        if (*p)
            *p++ = '\0';

        if (strcmp(word, "--") == 0) {
            /* Linux's convention: the rest of the line is init's */
            while (*p && bi->init_argc + 2 < sizeof(bi->init_argv) / sizeof(bi->init_argv[0])) {
                while (*p == ' ')
                    p++;
                if (!*p)
                    break;
                bi->init_argv[1 + bi->init_argc++] = p;
                while (*p && *p != ' ')
                    p++;
                if (*p)
                    *p++ = '\0';
            }
            if (*p)
                pr_warn("kernel command line: more than %u arguments for init: the rest is ignored",
                        bi->init_argc);
            break;
        } else if ((v = option_value(word, "init")) != NULL) {
            bi->opt_init = v;
        } else if ((v = option_value(word, "ktest")) != NULL) {
            bi->opt_ktest = v;
        } else if (strcmp(word, "poweroff") == 0) {
            bi->opt_poweroff = true;
        } else if (strcmp(word, "kcm_debug") == 0) {
            kcm_debug = true;                /* DEBUG kernels: poisoned free objects (kcm.h) */
        } else if ((v = option_value(word, "panic")) != NULL) {
            if (strcmp(v, "halt") == 0)
                bi->opt_panic_halt = true;
            else if (strcmp(v, "poweroff") == 0)
                bi->opt_panic_halt = false;
            else
                pr_warn("kernel command line: panic=%s: expected halt or poweroff, ignored", v);
        } else if ((v = option_value(word, "trace")) != NULL) {
            if (!strcmp(v, "1") || !strcmp(v, "0"))
                trace_enabled = v[0] == '1';
            else
                pr_warn("kernel command line: trace=%s: expected 0 or 1, ignored", v);
        } else if ((v = option_value(word, "bench")) != NULL) {
            bi->opt_bench = v;
        } else if ((v = option_value(word, "hung_task_timeout")) != NULL) {
            option_seconds(word, v, &hung_task_timeout_s);
        } else if ((v = option_value(word, "lockup_timeout")) != NULL) {
            option_seconds(word, v, &lockup_timeout_s);
        } else if ((v = option_value(word, "crash")) != NULL) {
            if (!strcmp(v, "pagefault") || !strcmp(v, "ud") || !strcmp(v, "panic") ||
                !strcmp(v, "kcm_use_after_free") || !strcmp(v, "kcm_double_free") ||
                !strcmp(v, "stack_smash") || !strcmp(v, "stall"))
                bi->opt_crash = v;
            else
                pr_warn("kernel command line: crash=%s: expected pagefault, ud, panic, "
                        "kcm_use_after_free, kcm_double_free, stack_smash or stall, ignored", v);
        } else {
            pr_warn("kernel command line: unknown option '%s' ignored", word);
        }
    }
}
