/*
 * insn_count: an exact guest-instruction counter between two marker addresses.
 *
 * Usage:
 *   qemu-system-arm ... -plugin insn_count.so,begin=0xADDR,end=0xADDR,out=PATH
 *
 * begin/end are the addresses (hex, "0x" optional) of the first instruction of
 * two marker functions in the guest (for Thumb code: the symbol value with bit 0
 * cleared). out is a file that one line per execution of `end` is appended to.
 *
 * Counting definition: each line is the number of guest instructions executed
 * from the first instruction of the begin marker (included) up to the first
 * instruction of the end marker (excluded), where "begin" is the most recent
 * execution of the begin address. If `end` runs before any `begin`, the count
 * starts at the first instruction the guest executed.
 *
 * Every translated instruction gets a counter increment executed right before
 * it (an inline add for ordinary instructions), so the count is exact even when
 * a translation block is left early (exceptions, semihosting, interrupts). The
 * two marker instructions instead get a callback that snapshots/reports the
 * counter and then increments it itself, so the result does not depend on the
 * order in which QEMU runs inline ops and callbacks of the same instruction.
 * The counter is a single 64-bit variable: the plugin refuses machines with
 * more than one vCPU.
 *
 * Each line is flushed as soon as it is written, because QEMU may leave through
 * semihosting SYS_EXIT (exit()) without running plugin atexit callbacks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toolchains/qemu/insn_count/qemu_plugin_api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t insn_count;  /* Instructions executed so far. */
static uint64_t begin_count; /* insn_count when `begin` last started. */
static uint64_t begin_addr;
static uint64_t end_addr;
static FILE *out_file;

static void on_begin(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  (void)userdata;
  begin_count = insn_count;
  insn_count++;
}

static void on_end(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  (void)userdata;
  fprintf(out_file, "%" PRIu64 "\n", insn_count - begin_count);
  fflush(out_file);
  insn_count++;
}

static void on_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  size_t n = qemu_plugin_tb_n_insns(tb);
  for (size_t i = 0; i < n; i++) {
    struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
    uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
    if (vaddr == begin_addr) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_begin, QEMU_PLUGIN_CB_NO_REGS, NULL);
    } else if (vaddr == end_addr) {
      qemu_plugin_register_vcpu_insn_exec_cb(insn, on_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
    } else {
      qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &insn_count, 1);
    }
  }
}

static void on_qemu_exit(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  if (out_file != NULL) {
    fclose(out_file);
    out_file = NULL;
  }
}

/* Parses an address such as "0x1f4" or "1f4"; returns 0 on success. */
static int parse_addr(const char *text, uint64_t *value) {
  char *rest = NULL;
  errno = 0;
  unsigned long long parsed = strtoull(text, &rest, 16);
  if (errno != 0 || rest == text || *rest != '\0') {
    return -1;
  }
  *value = (uint64_t)parsed;
  return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                           char **argv) {
  const char *out_path = NULL;
  int have_begin = 0;
  int have_end = 0;

  for (int i = 0; i < argc; i++) {
    const char *arg = argv[i];
    if (strncmp(arg, "begin=", 6) == 0) {
      if (parse_addr(arg + 6, &begin_addr) != 0) {
        fprintf(stderr, "insn_count: bad address in '%s'\n", arg);
        return -1;
      }
      have_begin = 1;
    } else if (strncmp(arg, "end=", 4) == 0) {
      if (parse_addr(arg + 4, &end_addr) != 0) {
        fprintf(stderr, "insn_count: bad address in '%s'\n", arg);
        return -1;
      }
      have_end = 1;
    } else if (strncmp(arg, "out=", 4) == 0 && arg[4] != '\0') {
      out_path = arg + 4;
    } else {
      fprintf(stderr, "insn_count: unknown argument '%s' (want begin=0xADDR,end=0xADDR,out=PATH)\n", arg);
      return -1;
    }
  }
  if (!have_begin || !have_end || out_path == NULL) {
    fprintf(stderr, "insn_count: begin=0xADDR, end=0xADDR and out=PATH are all required\n");
    return -1;
  }
  if (begin_addr == end_addr) {
    fprintf(stderr, "insn_count: begin and end are the same address 0x%" PRIx64 "\n", begin_addr);
    return -1;
  }
  if (info->system_emulation && info->system.max_vcpus > 1) {
    fprintf(stderr, "insn_count: only single-vCPU machines are supported (max_vcpus=%d)\n",
            info->system.max_vcpus);
    return -1;
  }
  out_file = fopen(out_path, "a");
  if (out_file == NULL) {
    fprintf(stderr, "insn_count: cannot open '%s': %s\n", out_path, strerror(errno));
    return -1;
  }

  qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
  qemu_plugin_register_atexit_cb(id, on_qemu_exit, NULL);
  return 0;
}
