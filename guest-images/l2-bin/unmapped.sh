#!/bin/sh
# unmapped: l2.run word: reads and writes guest physical addresses no device owns (lkvm must log once, read zeros, go on).
a=$(devmem 0x0a000000 32)
devmem 0x0a000010 32 0x12345678
b=$(devmem 0x0a000010 32)
echo "L2: unmapped reads $a $b"
