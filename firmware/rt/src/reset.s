/* Vector table and reset handler for ARMv7E-M (Cortex-M4F, Cortex-M7F).
 * In assembly because nothing compiled from Rust may run before .data and .bss exist. */
    .syntax unified
    .thumb

    .section .vector_table.exceptions, "a", %progbits
    .global __EXCEPTIONS
__EXCEPTIONS:
    .word _stack_start          /* initial main stack pointer, from link.x */
    .word Reset
    .word mcu_rt_exception      /* NMI */
    .word mcu_rt_exception      /* HardFault */
    .word mcu_rt_exception      /* MemManage */
    .word mcu_rt_exception      /* BusFault */
    .word mcu_rt_exception      /* UsageFault */
    .word 0, 0, 0, 0
    .word mcu_rt_exception      /* SVCall */
    .word mcu_rt_exception      /* DebugMonitor */
    .word 0
    .word mcu_rt_exception      /* PendSV */
    .word mcu_rt_exception      /* SysTick */

    .section .text.Reset, "ax", %progbits
    .global Reset
    .type Reset, %function
    .thumb_func
Reset:
    /* FPU: full access to CP10/CP11 (CPACR), before any code may touch VFP registers. */
    ldr r0, =0xE000ED88
    ldr r1, [r0]
    orr r1, r1, #(0xF << 20)
    str r1, [r0]
    dsb
    isb
    /* .bss = 0 */
    ldr r0, =__sbss
    ldr r1, =__ebss
    movs r2, #0
1:  cmp r0, r1
    bhs 2f
    str r2, [r0], #4
    b 1b
    /* .arena = 0 (it is .bss in another RAM bank) */
2:  ldr r0, =__sarena
    ldr r1, =__earena
7:  cmp r0, r1
    bhs 8f
    str r2, [r0], #4
    b 7b
    /* .data = its load image in flash */
8:  ldr r0, =__sdata
    ldr r1, =__edata
    ldr r2, =__sidata
3:  cmp r0, r1
    bhs 4f
    ldr r3, [r2], #4
    str r3, [r0], #4
    b 3b
    /* Static constructors (C++ globals in TFLM, and .init_array entries from Rust). */
4:  ldr r4, =__init_array_start
    ldr r5, =__init_array_end
5:  cmp r4, r5
    bhs 6f
    ldr r0, [r4], #4
    blx r0
    b 5b
6:  bl main
    b .
    .size Reset, . - Reset

    /* Every exception lands here with its number (IPSR) in r0. The application
     * defines mcu_fault_handler (to report and exit); link.x provides a halt otherwise. */
    .section .text.mcu_rt_exception, "ax", %progbits
    .global mcu_rt_exception
    .type mcu_rt_exception, %function
    .thumb_func
mcu_rt_exception:
    mrs r0, IPSR
    b mcu_fault_handler
    .size mcu_rt_exception, . - mcu_rt_exception

    .section .text.mcu_rt_halt, "ax", %progbits
    .global mcu_rt_halt
    .type mcu_rt_halt, %function
    .thumb_func
mcu_rt_halt:
    wfi
    b mcu_rt_halt
    .size mcu_rt_halt, . - mcu_rt_halt
