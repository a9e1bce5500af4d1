/*
 * Test guest for the insn_count plugin (mps2-an386, Cortex-M4, Thumb).
 *
 * Two measured regions, each "bl begin_marker ... bl end_marker", then
 * semihosting SYS_EXIT. insn_count_test.py derives the expected counts from
 * this listing; keep the two in step.
 */
    .syntax unified
    .cpu cortex-m4
    .thumb

    .section .vectors, "a"
    .word 0x20010000            /* initial SP */
    .word reset                 /* reset vector (Thumb bit set by .thumb_func) */

    .text
    .global reset
    .thumb_func
reset:
    /* Region 1: seven straight-line instructions. */
    bl begin_marker
    adds r1, r1, #1
    adds r1, r1, #1
    adds r1, r1, #1
    adds r1, r1, #1
    adds r1, r1, #1
    adds r1, r1, #1
    adds r1, r1, #1
    bl end_marker

    /* Region 2: a loop of 1000 iterations of two instructions. */
    bl begin_marker
    movw r2, #1000
1:
    subs r2, r2, #1
    bne 1b
    bl end_marker

    /* Semihosting SYS_EXIT(ADP_Stopped_ApplicationExit): QEMU exits with 0. */
    movs r0, #0x18
    ldr r1, =0x20026
    bkpt 0xab
2:
    b 2b
    .ltorg

    .global begin_marker
    .thumb_func
begin_marker:
    movs r0, #0
    bx lr

    .global end_marker
    .thumb_func
end_marker:
    movs r0, #1
    movs r3, #2
    bx lr
