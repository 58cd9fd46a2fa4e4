/*
 * vmstat.c - the global memory counters of mm/vmstat.h (Linux's vm_stat,
 * without the per-CPU deltas: every counter here changes per slab or per
 * page-table page, never per object, so one atomic add is cheap enough).
 * Readers (show_meminfo, the monitor) see each counter exactly; sums of
 * several counters are a snapshot taken one counter at a time.
 */
#include "mm/vmstat.h"

long vm_stat[NR_VM_STAT_ITEMS];
