/* The guest's serial console: keep, echo, remember the tail, spot the ready line and panics,
 * hand each line to the KTAP reader (boot --ktap). */
#include <errno.h>
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
		ktap_line(con->ktap, console_message(con->line));
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
