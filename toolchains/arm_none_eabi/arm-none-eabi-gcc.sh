#!/bin/bash
# gcc driver for Bazel actions: maps the action's working directory out of debug info
# (DW_AT_comp_dir and file names), which only the running action knows, so that objects
# are identical whichever output base or sandbox built them.
exec /usr/bin/arm-none-eabi-gcc "-fdebug-prefix-map=$PWD=." "$@"
