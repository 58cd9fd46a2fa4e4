/*
 * vsprintf.c - kvsnprintf, the formatter behind printk. Portable (the hosted
 * build uses it too), no floating point (the kernel is built with
 * -mgeneral-regs-only). Supports the subset documented in kernel/printk.h,
 * including %pS for symbolised kernel addresses.
 */
#include <stdarg.h>

#include "kernel/compiler.h"
#include "kernel/printk.h"
#include "kernel/string.h"

struct out {
	char *buf;
	size_t size; /* capacity including the NUL */
	size_t len;  /* characters produced so far (may exceed size) */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

enum {
	F_LEFT = 1,  /* '-' */
	F_ZERO = 2,  /* '0' */
	F_PLUS = 4,  /* '+' */
	F_SPACE = 8, /* ' ' */
	F_ALT = 16,  /* '#' */
};

static void put_padded(struct out *o, const char *s, size_t n, int width, unsigned flags)
{
	int pad = width > (int)n ? width - (int)n : 0;
	if (!(flags & F_LEFT))
		while (pad-- > 0)
			put(o, ' ');
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (flags & F_LEFT)
		while (pad-- > 0)
			put(o, ' ');
}

/* Format an unsigned magnitude with sign/prefix, width and precision. */
static void put_number(struct out *o, unsigned long long v, bool neg, unsigned base, bool upper,
		       int width, int prec, unsigned flags)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	char sign = 0;
	const char *prefix = "";
	int zeros;

	if (v == 0 && prec == 0) {
		n = 0;
	} else {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (neg)
		sign = '-';
	else if (flags & F_PLUS)
		sign = '+';
	else if (flags & F_SPACE)
		sign = ' ';
	if ((flags & F_ALT) && base == 16 && n)
		prefix = upper ? "0X" : "0x";
	else if ((flags & F_ALT) && base == 8)
		prefix = "0";

	zeros = prec > n ? prec - n : 0;
	int total = n + zeros + (sign ? 1 : 0) + (int)strlen(prefix);
	if ((flags & F_ZERO) && !(flags & F_LEFT) && prec < 0 && width > total) {
		zeros += width - total;
		total = width;
	}
	if (!(flags & F_LEFT))
		for (int i = total; i < width; i++)
			put(o, ' ');
	if (sign)
		put(o, sign);
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	while (zeros-- > 0)
		put(o, '0');
	while (n > 0)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		for (int i = total; i < width; i++)
			put(o, ' ');
}

static void put_symbol(struct out *o, uintptr_t addr, int width, unsigned flags)
{
	uintptr_t off = 0, size = 0;
	const char *name = ksym_lookup(addr, &off, &size);
	char tmp[160];
	int n;
	if (name)
		n = ksnprintf(tmp, sizeof(tmp), "%s+0x%lx/0x%lx", name, (unsigned long)off,
			      (unsigned long)size);
	else
		n = ksnprintf(tmp, sizeof(tmp), "0x%016lx", (unsigned long)addr);
	if (n > (int)sizeof(tmp) - 1)
		n = sizeof(tmp) - 1;
	put_padded(o, tmp, (size_t)n, width, flags);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		unsigned flags = 0;
		int width = -1, prec = -1,
		    len = 0; /* len: -2 hh, -1 h, 0 int, 1 l, 2 ll, 3 z/t/j */

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			for (width = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
				width = width * 10 + (*fmt - '0');
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				for (prec = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
					prec = prec * 10 + (*fmt - '0');
			}
		}
		if (*fmt == 'h') {
			len = -1;
			if (*++fmt == 'h') {
				len = -2;
				fmt++;
			}
		} else if (*fmt == 'l') {
			len = 1;
			if (*++fmt == 'l') {
				len = 2;
				fmt++;
			}
		} else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j') {
			len = 3;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v;
			if (len >= 1)
				v = len == 1 ? va_arg(ap, long) : va_arg(ap, long long);
			else
				v = va_arg(ap, int);
			if (len == -1)
				v = (short)v;
			else if (len == -2)
				v = (signed char)v;
			unsigned long long mag =
				v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
			put_number(&o, mag, v < 0, 10, false, width, prec, flags);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			unsigned long long v;
			if (len >= 1)
				v = len == 1 ? va_arg(ap, unsigned long)
					     : va_arg(ap, unsigned long long);
			else
				v = va_arg(ap, unsigned int);
			if (len == -1)
				v = (unsigned short)v;
			else if (len == -2)
				v = (unsigned char)v;
			unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			put_number(&o, v, false, base, *fmt == 'X', width, prec,
				   flags & ~(unsigned)(F_PLUS | F_SPACE));
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, width, flags);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			put_padded(&o, s, n, width, flags);
			break;
		}
		case 'p': {
			uintptr_t v = (uintptr_t)va_arg(ap, void *);
			if (fmt[1] == 'S' || fmt[1] == 's') {
				fmt++;
				put_symbol(&o, v, width, flags);
			} else {
				put_number(&o, v, false, 16, false, width < 0 ? 0 : width, 16,
					   flags | F_ALT);
			}
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* a lone '%' at the end: stop */
			break;
		default:
			/* Unknown conversion: print it as written, so the mistake shows. */
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
