/*
 * test_provenance.c - host run of the "provenance" and "page_census" suites
 * (tests/kernel/provenance_test.c, tests/kernel/page_census_test.c) under
 * ASan and UBSan, in the slab tests' hosted world.
 */
#define SLAB_WORLD_RAM (256ULL << 20)
#include "tests/host/slab_host_world.h"

#define PROVENANCE_TEST_INIT slab_host_world_init
#include "tests/kernel/page_census_test.c"
#include "tests/kernel/provenance_test.c"
