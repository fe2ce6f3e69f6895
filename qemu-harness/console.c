/* The guest's serial console: keep, echo, remember the tail, spot the ready line and panics,
 * hand each line to the KTAP reader (boot --ktap). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "console.h"

#define CONSOLE_PANIC_TEXT "Kernel panic - not syncing"

void console_init(struct console *con, int fd, FILE *keep, FILE *echo)
{
	memset(con, 0, sizeof(*con));
	con->fd = fd;
	con->keep = keep;
	con->echo = echo;
	con->ready_ms = -1;
	con->last_output_ms = -1;
}

/* systemd's boot status animation ("A start job is running...") leaves terminal escapes
 * (ESC [ K, ESC M) in front of the next kernel line on a shared console: skip them. */
static const char *console_skip_escapes(const char *line)
{
	while (line[0] == '\033' && line[1]) {
		if (line[1] != '[') {
			line += 2;
			continue;
		}
		line += 2;
		while (*line && (*line < 0x40 || *line > 0x7e)) /* parameters up to the final byte */
			line++;
		if (*line)
			line++;
	}
	return line;
}

/* printk adds "[    2.345678] " when the kernel logs with timestamps: the message after it,
 * its own indentation kept (KTAP nests by indentation). */
static const char *console_message(const char *line)
{
	const char *end;

	line = console_skip_escapes(line);
	if (line[0] != '[')
		return line;
	end = strchr(line, ']');
	if (!end || end - line > 20)
		return line;
	return end[1] == ' ' ? end + 2 : end + 1;
}

/* The message with any indentation skipped too, for matching. */
static const char *console_skip_timestamp(const char *line)
{
	const char *after_escapes = console_skip_escapes(line), *text = console_message(line);

	if (text != after_escapes)
		text += strspn(text, " ");
	return text;
}

/* The length of a printk timestamp "[    2.345678]" at p (digits, '.', digits), or 0. */
static size_t console_timestamp_len(const char *p)
{
	size_t n = 1;

	if (p[0] != '[')
		return 0;
	n += strspn(p + n, " ");
	if (!isdigit((unsigned char)p[n]))
		return 0;
	n += strspn(p + n, "0123456789");
	if (p[n++] != '.' || !isdigit((unsigned char)p[n]))
		return 0;
	n += strspn(p + n, "0123456789");
	return p[n] == ']' ? n + 1 : 0;
}

/* Where a printk timestamp stands inside line (not at its start), or NULL. */
static const char *console_inner_timestamp(const char *line)
{
	for (const char *p = strchr(line, '['); p; p = strchr(p + 1, '['))
		if (p > line && console_timestamp_len(p))
			return p;
	return NULL;
}

/* A kernel message printed while a program's line is still leaving the serial port lands
 * inside that line: "    ok 3 sub[    2.114809] kernel message", the rest ("tests") on the
 * next line. For the KTAP reader the program's part waits (in con->ktap_cut) for the next
 * line that is not the kernel's, and the kernel's message goes on alone. */
static void console_feed_ktap(struct console *con, const char *line)
{
	size_t cut = strlen(con->ktap_cut), room = sizeof(con->ktap_cut) - cut;
	bool kernels = console_message(line) != line; /* a timestamp (or escapes) in front */
	const char *ts = kernels ? NULL : console_inner_timestamp(line);

	if (ts) {
		snprintf(con->ktap_cut + cut, room, "%.*s", (int)(ts - line), line);
		ktap_line(con->ktap, console_message(ts));
	} else if (cut > 0 && !kernels) {
		snprintf(con->ktap_cut + cut, room, "%s", line);
		ktap_line(con->ktap, con->ktap_cut);
		con->ktap_cut[0] = '\0';
	} else {
		ktap_line(con->ktap, console_message(line));
	}
}

static void console_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

void console_set_ready(struct console *con, const regex_t *re)
{
	con->ready = re;
}

static bool console_is_ready(const struct console *con, const char *text)
{
	if (con->ready)
		return regexec(con->ready, text, 0, NULL, 0) == 0;
	return strncmp(text, CONSOLE_ARMED_PREFIX, strlen(CONSOLE_ARMED_PREFIX)) == 0;
}

static void console_on_line(struct console *con)
{
	const char *text;

	while (con->line_len > 0 && con->line[con->line_len - 1] == '\r')
		con->line_len--;
	con->line[con->line_len] = '\0';
	text = console_skip_timestamp(con->line);
	if (con->ready_ms < 0 && console_is_ready(con, text)) {
		con->ready_ms = clock_now_ms();
		console_copy(con->ready_line, sizeof(con->ready_line), text);
	}
	if (strncmp(text, CONSOLE_AGENT_PREFIX, strlen(CONSOLE_AGENT_PREFIX)) == 0)
		console_copy(con->agent_line, sizeof(con->agent_line), text);
	if (!con->panic_line[0] && strstr(text, CONSOLE_PANIC_TEXT))
		console_copy(con->panic_line, sizeof(con->panic_line), text);
	if (con->ktap)
		console_feed_ktap(con, con->line);
	con->line_len = 0;
}

void console_feed(struct console *con, const char *data, size_t size)
{
	if (size == 0)
		return;
	con->last_output_ms = clock_now_ms();
	tail_append(&con->tail, data, size);
	if (con->keep) { /* flushed: others may follow the file while the guest runs */
		(void)fwrite(data, 1, size, con->keep);
		(void)fflush(con->keep);
	}
	if (con->echo) {
		(void)fwrite(data, 1, size, con->echo);
		(void)fflush(con->echo);
	}
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n')
			console_on_line(con);
		else if (con->line_len < sizeof(con->line) - 1)
			con->line[con->line_len++] = data[i];
	}
}

int console_read(struct console *con)
{
	char buf[4096];
	ssize_t n;

	for (int i = 0; i < 16 && !con->eof; i++) {
		n = read(con->fd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0 && errno != ECONNRESET)
			return -errno;
		if (n <= 0) {
			con->eof = true;
			if (con->line_len > 0)
				console_on_line(con);
			return 0;
		}
		console_feed(con, buf, (size_t)n);
	}
	return 0;
}
