/* qf_insncount: a QEMU 7.2 TCG plugin (plugin API v1) that counts executed guest instructions, in total and at
 * every execution of one marker address. Host code: build it with the host compiler, not arm-none-eabi-gcc:
 *
 *   cc -std=c99 -O2 -Wall -Wextra -Werror -fPIC -shared -o libqf_insncount.so qf_insncount.c
 *   qemu-system-arm ... -plugin ./libqf_insncount.so,out=insns.txt,mark=0x1234 -kernel runner.elf
 *
 * Options: out=<file> (required), mark=<address> (optional; the Thumb bit is ignored).
 * Output, written when QEMU exits (also when the guest exits through semihosting):
 *
 *   insns <total executed instructions>
 *   tbs <executed translation blocks>
 *   mark <address> <number of times it ran>
 *   at <running total>          one line per marker execution, in order
 *   warning <text>              only if a marker could not be counted exactly
 *
 * A value on an `at` line counts every instruction up to and including the translation block that starts at the
 * marker. model.c's qf_layer_mark is a bare `bx lr`, so two consecutive `at` lines differ by the instructions
 * between the two calls plus exactly 2: the caller's `bl qf_layer_mark` and the marker's `bx lr`.
 *
 * Debian ships no qemu-plugin.h, so the few v1 declarations used are written out here; QEMU 7.2 refuses plugins
 * that report another API version. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr, uint64_t imm);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* The mps2 boards have one vCPU and TCG runs it on one thread, so plain counters are race-free. */
static uint64_t total;
static uint64_t tbs;
static int have_mark;
static uint64_t mark;
static uint64_t *at;
static size_t at_len, at_cap;
static int mark_inside_tb;
static int out_of_memory;
static char *out_path;

/* The marker's block gets a callback instead of the inline adds, so the block is counted before its total is
 * recorded no matter in which order QEMU would run inline ops and callbacks. */
static void on_mark(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    total += (uint64_t)(uintptr_t)udata;
    tbs++;
    if (at_len == at_cap) {
        const size_t cap = at_cap == 0 ? 1024 : 2 * at_cap;
        uint64_t *grown = realloc(at, cap * sizeof *at);
        if (grown == NULL) {
            out_of_memory = 1;
            return;
        }
        at = grown;
        at_cap = cap;
    }
    at[at_len++] = total;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    const size_t n = qemu_plugin_tb_n_insns(tb);
    size_t i;
    (void)id;
    if (have_mark && qemu_plugin_tb_vaddr(tb) == mark) {
        qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark, QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)n);
        return;
    }
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &total, n);
    qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &tbs, 1);
    /* A block that runs into the marker without branching to it would hide a marker execution; say so. */
    for (i = 1; have_mark && i < n; i++) {
        if (qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i)) == mark) mark_inside_tb = 1;
    }
}

static void write_results(qemu_plugin_id_t id, void *udata)
{
    FILE *f = fopen(out_path, "w");
    size_t i;
    (void)id;
    (void)udata;
    if (f == NULL) {
        fprintf(stderr, "qf_insncount: cannot write %s\n", out_path);
        return;
    }
    fprintf(f, "insns %" PRIu64 "\ntbs %" PRIu64 "\n", total, tbs);
    if (have_mark) {
        fprintf(f, "mark 0x%08" PRIx64 " %zu\n", mark, at_len);
        for (i = 0; i < at_len; i++) fprintf(f, "at %" PRIu64 "\n", at[i]);
    }
    if (mark_inside_tb) fprintf(f, "warning the marker was reached inside a translation block\n");
    if (out_of_memory) fprintf(f, "warning out of memory: marker executions were dropped\n");
    if (fclose(f) != 0) fprintf(stderr, "qf_insncount: cannot write %s\n", out_path);
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv);

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    int i;
    (void)info;
    for (i = 0; i < argc; i++) {
        if (strncmp(argv[i], "out=", 4) == 0 && argv[i][4] != '\0') {
            out_path = argv[i] + 4;
        } else if (strncmp(argv[i], "mark=", 5) == 0) {
            char *end;
            mark = strtoull(argv[i] + 5, &end, 0) & ~(uint64_t)1;
            if (end == argv[i] + 5 || *end != '\0') {
                fprintf(stderr, "qf_insncount: bad marker address %s\n", argv[i] + 5);
                return -1;
            }
            have_mark = 1;
        } else {
            fprintf(stderr, "qf_insncount: unknown option %s (expected out=<file> and optionally mark=<address>)\n", argv[i]);
            return -1;
        }
    }
    if (out_path == NULL) {
        fprintf(stderr, "qf_insncount: out=<file> is required\n");
        return -1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, write_results, NULL);
    return 0;
}
