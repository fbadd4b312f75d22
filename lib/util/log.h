/*
 * log.h - the one logger of every splitnve daemon and tool.
 *
 * Messages go to stderr (foreground, tests) or syslog (daemon mode).  The
 * level filter is global.  log_rl() is the rate-limited form for anything
 * that can repeat per packet or per peer: at most `burst` messages per
 * `interval_us`, then one "suppressed N" line when the window reopens.
 * Codecs and state machines never log; their callers do.
 */
#ifndef SPLITNVE_UTIL_LOG_H
#define SPLITNVE_UTIL_LOG_H

#include <stdarg.h>
#include <stdint.h>

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* ident names the program in every line; use_syslog selects the sink. */
void	log_init(const char *ident, int use_syslog, enum log_level level);
void	log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parses "err", "warn", "info", "debug"; returns -EINVAL otherwise. */
int	log_parse_level(const char *s, enum log_level *out);
const char *log_level_name(enum log_level level);

void	log_msg(enum log_level level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_vmsg(enum log_level level, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/* Start-up failures only: logs at ERR and exits with status 1. */
void	fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* State of one rate limiter; zero-initialise, then set interval and burst. */
struct log_rl {
	uint64_t	interval_us;	/* window length; 0 means 5 s */
	unsigned	burst;		/* messages per window; 0 means 10 */
	uint64_t	window_start;
	unsigned	count;
	unsigned	suppressed;
};

#define LOG_RL_INIT(interval_us_, burst_) { (interval_us_), (burst_), 0, 0, 0 }

/*
 * Logs unless rl's budget for the current window is spent; returns 1 if
 * the message was written, 0 if it was suppressed.  now_us is monotonic.
 */
int	log_rl(struct log_rl *rl, uint64_t now_us, enum log_level level,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif /* SPLITNVE_UTIL_LOG_H */
