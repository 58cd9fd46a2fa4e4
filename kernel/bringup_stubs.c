/*
 * bringup_stubs.c - TEMPORARY weak stand-ins for the multiboot2 and
 * command-line parsers (kernel/multiboot2.c, kernel/cmdline.c) while they are
 * being written; the real, strong definitions replace these at link time.
 * Minimal on purpose: only the command line is extracted. Delete this file
 * once both parsers have landed.
 */
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/printk.h"
#include "kernel/string.h"

__attribute__((weak)) struct boot_info boot_info;

__attribute__((weak)) int mb2_parse(const void *mbi, size_t avail, uint64_t mbi_phys,
				    struct boot_info *out);
__attribute__((weak)) void mb2_print(const struct boot_info *bi);

__attribute__((weak)) int mb2_parse(const void *mbi, size_t avail, uint64_t mbi_phys,
				    struct boot_info *out)
{
	const uint8_t *p = mbi;
	uint32_t total = *(const uint32_t *)p;
	memset(out, 0, sizeof(*out));
	out->mbi_phys = mbi_phys;
	out->mbi_size = total;
	if (total < 8 || total > avail)
		return -22;
	for (uint32_t off = 8; off + 8 <= total;) {
		uint32_t type = *(const uint32_t *)(p + off);
		uint32_t size = *(const uint32_t *)(p + off + 4);
		if (type == 0 || size < 8)
			break;
		if (type == 1) { /* command line */
			size_t n = MIN((size_t)size - 8, sizeof(out->cmdline) - 1);
			memcpy(out->cmdline, p + off + 8, n);
			out->cmdline[n] = '\0';
		}
		off += (size + 7) & ~7u;
	}
	return 0;
}

__attribute__((weak)) void mb2_print(const struct boot_info *bi)
{
	pr_info("multiboot2: (stub parser) command line: '%s'\n", bi->cmdline);
}

static const char *stub_line = "";

__attribute__((weak)) int cmdline_parse(const char *line)
{
	stub_line = line ? line : "";
	return 0;
}

/* Finds key or key=value as a whole word; returns a static copy of the value. */
__attribute__((weak)) const char *cmdline_get(const char *key)
{
	static char value[256];
	size_t klen = strlen(key);
	const char *s = stub_line;
	const char *found = NULL;
	while (*s) {
		while (*s == ' ')
			s++;
		const char *w = s;
		while (*s && *s != ' ')
			s++;
		if (strncmp(w, key, klen) == 0 && (w[klen] == '=' || w + klen == s)) {
			const char *v = w[klen] == '=' ? w + klen + 1 : w + klen;
			size_t n = MIN((size_t)(s - v), sizeof(value) - 1);
			memcpy(value, v, n);
			value[n] = '\0';
			found = value;
		}
	}
	return found;
}

__attribute__((weak)) bool cmdline_has(const char *key)
{
	return cmdline_get(key) != NULL;
}

__attribute__((weak)) bool cmdline_get_u64(const char *key, uint64_t *out)
{
	const char *v = cmdline_get(key);
	uint64_t x = 0;
	if (!v || !*v)
		return false;
	for (; *v; v++) {
		if (*v < '0' || *v > '9')
			return false;
		x = x * 10 + (uint64_t)(*v - '0');
	}
	*out = x;
	return true;
}
