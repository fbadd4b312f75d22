/*
 * nva_tls.c - the TLS 1.3 connection of nva_tls.h: one libuv TCP stream,
 * one OpenSSL SSL object fed through two memory BIOs, and the buffers
 * between them.
 *
 * Owns struct nva_tls (an SSL_CTX set up for our rules: TLS 1.3 only,
 * a certificate on both sides, no session tickets from the server) and
 * struct nva_conn (the TCP handle, a timer handle for deferred work, the
 * SSL object, the plaintext waiting for a flush and the ciphertext
 * handed to libuv).  Runs in the caller's thread on its libuv loop; the
 * caller sees only its three callbacks.  Relies on OpenSSL 3 for the
 * TLS work and libuv for the socket; logs nothing (the caller logs what
 * nva_conn_error() says).
 *
 * Data flow:
 *
 *   socket --uv read--> rbio --SSL_do_handshake/SSL_read--> on_data
 *   nva_conn_write --> pt buffer --flush: SSL_write--> wbio
 *   wbio --drain: one malloc'd buffer per uv_write--> socket
 *
 * OpenSSL writes to wbio not only on SSL_write: handshake messages,
 * alerts, a close_notify and post-handshake messages (key updates,
 * tickets a server may send) come out of SSL_do_handshake, SSL_read and
 * SSL_shutdown too, so every one of those is followed by a drain.
 *
 * Lifetime of a connection:
 *
 *   CONNECTING --TCP up--> HANDSHAKE --done, peer CN good--> OPEN
 *       |                      |                              |
 *       +-- connect failed ----+-- TLS/cert failure, EOF -----+-- EOF,
 *       |   (on_close -errno)      (on_close -EPROTO/-EACCES)     close_notify
 *       v                                                         (on_close 0)
 *     DOWN: reading stopped, what was drained is written, the TCP side
 *           is shut down, then both handles are closed; the memory goes
 *           with the second close callback.
 *
 * nva_conn_close() also goes to DOWN (after a flush and a close_notify)
 * but never calls on_close.  A failure found inside a call the user made
 * (nva_conn_flush(), an automatic flush in nva_conn_write()) is not
 * reported from inside that call: it marks the connection failed and
 * the timer, due at once, delivers on_close from the loop.  Everything
 * that runs a user callback checks afterwards whether the connection
 * went DOWN meanwhile (nva_conn_close() from on_data or on_open) and
 * stops; the memory stays valid until libuv's close callbacks, which
 * never run inside one of ours.
 *
 * Peer checks: OpenSSL verifies the chain to the CA (and expect_name,
 * matched against the CN as well as the DNS names); tls_verify() adds
 * our name rule for the peer's own certificate (exactly one CN, 1..63
 * printable ASCII octets, no space), inside the handshake so the peer
 * gets a bad_certificate alert.  Certificate trouble on either side is
 * -EACCES; any other TLS failure is -EPROTO.
 *
 * Counters: rx octets are plaintext delivered to on_data, tx octets are
 * plaintext accepted by SSL_write (the NVA frames, not TLS overhead).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <uv.h>

#include "nva/nva.h"
#include "nva/nva_tls.h"

#define TLS_READ_SIZE	(16u * 1024)	/* one uv read */
#define TLS_REC_SIZE	(16u * 1024)	/* one TLS record's plaintext */
#define TLS_LINGER_MS	5000		/* wait for our last writes */
#define TLS_PT_KEEP	(4 * NVA_CONN_FLUSH_AT)	/* larger: freed after flush */
#define TLS_ADDR_MAX	(INET6_ADDRSTRLEN + 8)

struct nva_tls {
	SSL_CTX		*ctx;
	bool		 server;
	bool		 has_name;
	char		 name[NVA_NAME_MAX + 1];
};

enum conn_state {
	CONN_CONNECTING,
	CONN_HANDSHAKE,
	CONN_OPEN,
	CONN_DOWN,
};

struct nva_conn {
	uv_tcp_t	 tcp;		/* .data: this connection */
	uv_timer_t	 timer;		/* deferred failure, resume, linger */
	uv_connect_t	 creq;
	uv_shutdown_t	 sreq;
	int		 handles;	/* open libuv handles; free at 0 */
	bool		 closing;	/* uv_close called */

	SSL		*ssl;
	BIO		*rbio, *wbio;	/* owned by ssl */
	enum conn_state	 state;
	bool		 user_closed;	/* nva_conn_close() was called */
	bool		 ended;		/* on_close delivered (or due) */
	bool		 failed;	/* failure waiting for the timer */
	int		 fail_err;
	bool		 paused;
	bool		 reading;
	bool		 tcp_up;	/* connected: shutdown makes sense */
	bool		 cn_refused;	/* tls_verify() refused the peer CN */

	struct nva_conn_cbs cbs;
	void		*arg;

	uint8_t		*pt;		/* plaintext not yet encrypted */
	size_t		 ptlen, ptcap;
	size_t		 inflight;	/* ciphertext handed to uv_write */
	uint64_t	 rx, tx;

	char		 peer[NVA_NAME_MAX + 1];
	char		 addr[TLS_ADDR_MAX];
	char		 err[NVA_TLS_ERR_MAX];
	uint8_t		 rbuf[TLS_READ_SIZE];
};

/* One uv_write of ciphertext; the octets follow the struct. */
struct tls_wreq {
	uv_write_t	 req;		/* .data: the connection */
	size_t		 len;
	uint8_t		 data[];
};

static void	conn_process(struct nva_conn *);
static void	conn_down(struct nva_conn *);
static void	conn_timer(uv_timer_t *);
static void	conn_fail(struct nva_conn *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* ---- certificates ---------------------------------------------------- */

/*
 * The CN of a certificate into buf (NVA_NAME_MAX + 1): 0, or -EACCES
 * when there is none, more than one, or it is not 1..NVA_NAME_MAX
 * printable ASCII octets without a space (the NVA name rule).
 */
static int
cert_cn(X509 *x, char *buf, size_t buflen)
{
	X509_NAME	*nm;
	char		 tmp[256];
	int		 len, i, idx;

	if (x == NULL || (nm = X509_get_subject_name(x)) == NULL)
		return -EACCES;
	idx = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);
	if (idx < 0 ||
	    X509_NAME_get_index_by_NID(nm, NID_commonName, idx) >= 0)
		return -EACCES;
	len = X509_NAME_get_text_by_NID(nm, NID_commonName, tmp, sizeof(tmp));
	if (len <= 0 || len > NVA_NAME_MAX || (size_t)len >= buflen ||
	    strlen(tmp) != (size_t)len)
		return -EACCES;
	for (i = 0; i < len; i++)
		if (tmp[i] <= 0x20 || tmp[i] >= 0x7f)
			return -EACCES;
	memcpy(buf, tmp, (size_t)len + 1);
	return 0;
}

#define TLS_CN_RULE	"no usable CN (one CN of 1..63 printable " \
			"characters, no space)"

/*
 * Chain checks are OpenSSL's; we add the name rule for the peer's own
 * certificate (depth 0), so a bad name fails the handshake itself and
 * the peer gets an alert instead of a bare hang-up.
 */
static int
tls_verify(int ok, X509_STORE_CTX *xs)
{
	struct nva_conn	*c;
	SSL		*ssl;
	char		 cn[NVA_NAME_MAX + 1];

	if (!ok || X509_STORE_CTX_get_error_depth(xs) != 0)
		return ok;
	if (cert_cn(X509_STORE_CTX_get_current_cert(xs), cn, sizeof(cn)) == 0)
		return 1;
	/* "rejected" makes OpenSSL send bad_certificate; the flag tells
	 * conn_tls_error() it was our rule. */
	ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl != NULL && (c = SSL_get_app_data(ssl)) != NULL)
		c->cn_refused = true;
	X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
	return 0;
}

/* "what: OpenSSL's reason" from the first queued error; clears it. */
static void
ssl_reason(char *err, size_t errlen, const char *what)
{
	unsigned long	 e;
	char		 buf[NVA_TLS_ERR_MAX];

	e = ERR_peek_error();
	if (e != 0)
		ERR_error_string_n(e, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "no reason given");
	ERR_clear_error();
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, buf);
}

/* -ENOENT when path cannot be found, -EINVAL when it is not readable. */
static int
check_file(const char *path, const char *what, char *err, size_t errlen)
{
	int	 e;

	if (path == NULL || *path == '\0') {
		snprintf(err, errlen, "%s: no file given", what);
		return -EINVAL;
	}
	if (access(path, R_OK) == 0)
		return 0;
	e = errno;
	snprintf(err, errlen, "%s %s: %s", what, path, strerror(e));
	return e == ENOENT || e == ENOTDIR ? -ENOENT : -EINVAL;
}

int
nva_tls_new(struct nva_tls **out, bool server, const char *cert,
    const char *key, const char *ca, char *err, size_t errlen)
{
	struct nva_tls	*t;
	STACK_OF(X509_NAME) *names;
	char		 what[300];
	char		 dummy[1];
	int		 rc;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*err = '\0';
	if ((rc = check_file(cert, "certificate", err, errlen)) < 0 ||
	    (rc = check_file(key, "key", err, errlen)) < 0 ||
	    (rc = check_file(ca, "CA file", err, errlen)) < 0)
		return rc;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->server = server;
	ERR_clear_error();
	t->ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (t->ctx == NULL) {
		ssl_reason(err, errlen, "SSL_CTX_new");
		free(t);
		return -ENOMEM;
	}
	if (!SSL_CTX_set_min_proto_version(t->ctx, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(t->ctx, TLS1_3_VERSION)) {
		ssl_reason(err, errlen, "TLS 1.3");
		goto bad;
	}
	if (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1) {
		snprintf(what, sizeof(what), "certificate %s", cert);
		ssl_reason(err, errlen, what);
		goto bad;
	}
	if (SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(t->ctx) != 1) {
		/*
		 * OpenSSL compares the pair while loading the key already;
		 * say so in our words, the usual operator's mistake.
		 */
		if (ERR_GET_REASON(ERR_peek_last_error()) ==
		    X509_R_KEY_VALUES_MISMATCH ||
		    SSL_CTX_get0_privatekey(t->ctx) != NULL)
			snprintf(what, sizeof(what), "key %s does not match %s",
			    key, cert);
		else
			snprintf(what, sizeof(what), "key %s", key);
		ssl_reason(err, errlen, what);
		goto bad;
	}
	if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1) {
		snprintf(what, sizeof(what), "CA file %s", ca);
		ssl_reason(err, errlen, what);
		goto bad;
	}
	SSL_CTX_set_verify(t->ctx,
	    SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, tls_verify);
	if (server) {
		/*
		 * No resumption: every session does the full handshake
		 * with both certificates, and the server sends nothing
		 * after it the client would have to keep.
		 */
		SSL_CTX_set_num_tickets(t->ctx, 0);
		SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET);
		SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
		/* Tells clients which CA we take (helps other tools). */
		if ((names = SSL_load_client_CA_file(ca)) != NULL)
			SSL_CTX_set_client_CA_list(t->ctx, names);
	}
	t->has_name = cert_cn(SSL_CTX_get0_certificate(t->ctx), t->name,
	    sizeof(t->name)) == 0;
	ERR_clear_error();
	*out = t;
	return 0;
bad:
	SSL_CTX_free(t->ctx);
	free(t);
	return -EINVAL;
}

void
nva_tls_free(struct nva_tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);	/* connections keep their own reference */
	free(t);
}

const char *
nva_tls_own_name(const struct nva_tls *t)
{
	return t->has_name ? t->name : NULL;
}

/* ---- handles and teardown ------------------------------------------- */

static void
conn_free(struct nva_conn *c)
{
	SSL_free(c->ssl);	/* frees both BIOs */
	free(c->pt);
	free(c);
}

static void
conn_handle_closed(uv_handle_t *h)
{
	struct nva_conn	*c = h->data;

	if (--c->handles == 0)
		conn_free(c);
}

static void
conn_close_handles(struct nva_conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	uv_close((uv_handle_t *)&c->tcp, conn_handle_closed);
	uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
}

static void
conn_shut_done(uv_shutdown_t *req, int status)
{
	(void)status;
	conn_close_handles(req->data);
}

/*
 * Stops reading and ends the TCP side: the writes already queued go out
 * first (uv_shutdown waits for them), bounded by the linger timer.
 */
static void
conn_down(struct nva_conn *c)
{
	if (c->state == CONN_DOWN)
		return;
	c->state = CONN_DOWN;
	if (c->reading)
		uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = false;
	uv_timer_stop(&c->timer);
	c->sreq.data = c;
	if (!c->tcp_up || uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp,
	    conn_shut_done) != 0) {
		conn_close_handles(c);
		return;
	}
	uv_timer_start(&c->timer, conn_timer, TLS_LINGER_MS, 0);
}

/* ---- writing --------------------------------------------------------- */

static void
conn_written(uv_write_t *req, int status)
{
	struct tls_wreq	*w = (struct tls_wreq *)req;
	struct nva_conn	*c = req->data;

	c->inflight -= w->len;
	free(w);
	if (status < 0 && status != UV_ECANCELED)
		conn_fail(c, status, "write: %s", uv_strerror(status));
}

/* Hands everything OpenSSL wrote to wbio to libuv.  0 or -errno. */
static int
conn_drain(struct nva_conn *c)
{
	struct tls_wreq	*w;
	uv_buf_t	 b;
	size_t		 n;
	int		 rc, got;

	while ((n = BIO_ctrl_pending(c->wbio)) > 0) {
		if (c->closing || !c->tcp_up) {
			/* Nowhere to send it: drop it. */
			(void)BIO_reset(c->wbio);
			return -ENOTCONN;
		}
		if ((w = malloc(sizeof(*w) + n)) == NULL)
			return -ENOMEM;
		got = BIO_read(c->wbio, w->data, (int)n);
		if (got <= 0) {
			free(w);
			return -EIO;
		}
		w->len = (size_t)got;
		w->req.data = c;
		b = uv_buf_init((char *)w->data, (unsigned)w->len);
		rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1,
		    conn_written);
		if (rc < 0) {
			free(w);
			return rc;
		}
		c->inflight += w->len;
	}
	return 0;
}

/* Encrypts the buffered plaintext and drains.  0 or -errno. */
static int
conn_encrypt(struct nva_conn *c)
{
	size_t	 done;
	int	 rc;

	if (c->ptlen > 0) {
		ERR_clear_error();
		if (SSL_write_ex(c->ssl, c->pt, c->ptlen, &done) != 1 ||
		    done != c->ptlen) {
			ssl_reason(c->err, sizeof(c->err), "TLS write");
			return -EPROTO;
		}
		c->tx += c->ptlen;
		c->ptlen = 0;
		if (c->ptcap > TLS_PT_KEEP) {
			free(c->pt);
			c->pt = NULL;
			c->ptcap = 0;
		}
	}
	rc = conn_drain(c);
	if (rc < 0 && c->err[0] == '\0')
		snprintf(c->err, sizeof(c->err), "write: %s", uv_strerror(rc));
	return rc;
}

/* ---- failures -------------------------------------------------------- */

/*
 * Ends the connection from the loop: the reason goes to c->err (when
 * fmt is not NULL and nothing more precise is there yet), the
 * connection goes DOWN, then on_close runs (unless the user closed).
 */
static void
conn_fail(struct nva_conn *c, int err, const char *fmt, ...)
{
	va_list	 ap;

	if (c->ended || c->user_closed)
		return;
	c->ended = true;
	if (fmt != NULL && (c->err[0] == '\0' || err == 0)) {
		va_start(ap, fmt);
		vsnprintf(c->err, sizeof(c->err), fmt, ap);
		va_end(ap);
	}
	if (c->ssl != NULL && c->tcp_up)
		(void)conn_drain(c);	/* an alert for the peer */
	conn_down(c);
	if (c->cbs.on_close != NULL)
		c->cbs.on_close(c, err, c->arg);
}

/* A failure found inside a user's call: on_close comes from the timer. */
static void
conn_fail_later(struct nva_conn *c, int err)
{
	if (c->ended || c->user_closed || c->failed)
		return;
	c->failed = true;
	c->fail_err = err;
	if (c->state != CONN_DOWN)
		uv_timer_start(&c->timer, conn_timer, 0, 0);
}

/*
 * The error of a failed handshake or read: -EACCES for anything about
 * certificates (ours refused by the peer, theirs refused by us, a name
 * that does not match), -EPROTO for the rest; the reason goes to c->err.
 */
static int
conn_tls_error(struct nva_conn *c, const char *what)
{
	unsigned long	 e;
	long		 vr;
	int		 reason;

	vr = SSL_get_verify_result(c->ssl);
	if (c->cn_refused) {
		snprintf(c->err, sizeof(c->err), "%s: peer certificate: %s",
		    what, TLS_CN_RULE);
		ERR_clear_error();
		return -EACCES;
	}
	if (vr != X509_V_OK) {
		snprintf(c->err, sizeof(c->err), "%s: peer certificate: %s",
		    what, X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return -EACCES;
	}
	e = ERR_peek_error();
	reason = ERR_GET_REASON(e);
	ssl_reason(c->err, sizeof(c->err), what);
	if (e == 0 || ERR_GET_LIB(e) != ERR_LIB_SSL)
		return -EPROTO;
	switch (reason) {
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
	case SSL_R_CERTIFICATE_VERIFY_FAILED:
	case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
	case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
	case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
	case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
	case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
		return -EACCES;
	default:
		return -EPROTO;
	}
}

/* ---- the timer: deferred failure, resume, linger --------------------- */

static void
conn_timer(uv_timer_t *h)
{
	struct nva_conn	*c = h->data;

	if (c->state == CONN_DOWN) {
		/* Lingered long enough: the peer does not read. */
		conn_close_handles(c);
		return;
	}
	if (c->failed) {
		conn_fail(c, c->fail_err, NULL);
		return;
	}
	/* Resumed: deliver what arrived before the pause. */
	conn_process(c);
}

/* ---- reading --------------------------------------------------------- */

static void
conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct nva_conn	*c = h->data;

	(void)hint;
	*b = uv_buf_init((char *)c->rbuf, sizeof(c->rbuf));
}

/* The handshake is done: check the peer's name, then on_open. */
static void
conn_opened(struct nva_conn *c)
{
	X509	*x;

	x = SSL_get0_peer_certificate(c->ssl);
	if (cert_cn(x, c->peer, sizeof(c->peer)) < 0) {
		c->peer[0] = '\0';
		/* tls_verify() refused it already; this cannot happen. */
		conn_fail(c, -EACCES, "peer certificate: %s", TLS_CN_RULE);
		return;
	}
	c->state = CONN_OPEN;
	if (c->cbs.on_open != NULL)
		c->cbs.on_open(c, c->arg);
}

/*
 * Runs OpenSSL over what rbio holds: the handshake until it is done,
 * then records into on_data, until OpenSSL wants more input, the user
 * pauses, or the connection ends.  Always drains what OpenSSL wrote.
 */
static void
conn_process(struct nva_conn *c)
{
	uint8_t	 buf[TLS_REC_SIZE];
	size_t	 got;
	int	 r, e, rc;

	if (c->state == CONN_HANDSHAKE) {
		ERR_clear_error();
		r = SSL_do_handshake(c->ssl);
		if (r != 1) {
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ) {
				if ((rc = conn_drain(c)) < 0)
					conn_fail(c, rc, "write: %s",
					    uv_strerror(rc));
				return;
			}
			rc = conn_tls_error(c, "TLS handshake");
			conn_fail(c, rc, NULL);
			return;
		}
		if ((rc = conn_drain(c)) < 0) {
			conn_fail(c, rc, "write: %s", uv_strerror(rc));
			return;
		}
		conn_opened(c);
	}
	while (c->state == CONN_OPEN && !c->paused && !c->failed) {
		ERR_clear_error();
		if (SSL_read_ex(c->ssl, buf, sizeof(buf), &got) == 1) {
			c->rx += got;
			if (c->cbs.on_data != NULL)
				c->cbs.on_data(c, buf, got, c->arg);
			continue;
		}
		e = SSL_get_error(c->ssl, 0);
		if (e == SSL_ERROR_WANT_READ)
			break;
		if (e == SSL_ERROR_ZERO_RETURN) {
			/* close_notify: answer it, then end. */
			ERR_clear_error();
			(void)SSL_shutdown(c->ssl);
			ERR_clear_error();
			conn_fail(c, 0, NULL);
			return;
		}
		rc = conn_tls_error(c, "TLS read");
		conn_fail(c, rc, NULL);
		return;
	}
	if (c->state == CONN_OPEN && (rc = conn_drain(c)) < 0)
		conn_fail(c, rc, "write: %s", uv_strerror(rc));
}

static void
conn_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct nva_conn	*c = s->data;

	(void)b;
	if (c->state == CONN_DOWN || nread == 0)
		return;
	if (nread == UV_EOF) {
		if (c->state == CONN_HANDSHAKE)
			conn_fail(c, -EPROTO, "TLS handshake: the peer "
			    "closed the connection");
		else
			conn_fail(c, 0, NULL);
		return;
	}
	if (nread < 0) {
		conn_fail(c, (int)nread, "read: %s", uv_strerror((int)nread));
		return;
	}
	if (BIO_write(c->rbio, c->rbuf, (int)nread) != (int)nread) {
		conn_fail(c, -ENOMEM, "read: out of memory");
		return;
	}
	conn_process(c);
}

/* ---- setting up ------------------------------------------------------ */

static void
fmt_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;
	char	 a[INET6_ADDRSTRLEN];

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(sin->sin_port));
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(sin6->sin6_port));
		break;
	default:
		snprintf(buf, len, "?");
		break;
	}
}

/* The peer's address from the socket, once TCP is up. */
static void
conn_peer_addr(struct nva_conn *c)
{
	struct sockaddr_storage	 ss;
	int			 len = sizeof(ss);

	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0)
		fmt_addr((struct sockaddr *)&ss, c->addr, sizeof(c->addr));
}

/* A connection with its SSL object, nothing on the loop yet. */
static int
conn_new(struct nva_conn **out, struct nva_tls *t,
    const struct nva_conn_cbs *cbs, void *arg)
{
	struct nva_conn	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -ENOMEM;
	ERR_clear_error();
	if ((c->ssl = SSL_new(t->ctx)) == NULL)
		goto nomem;
	c->rbio = BIO_new(BIO_s_mem());
	c->wbio = BIO_new(BIO_s_mem());
	if (c->rbio == NULL || c->wbio == NULL) {
		BIO_free(c->rbio);
		BIO_free(c->wbio);
		goto nomem;
	}
	/* An empty rbio means "wait for more", not end of file. */
	BIO_set_mem_eof_return(c->rbio, -1);
	SSL_set_bio(c->ssl, c->rbio, c->wbio);
	SSL_set_app_data(c->ssl, c);
	if (t->server)
		SSL_set_accept_state(c->ssl);
	else
		SSL_set_connect_state(c->ssl);
	c->cbs = *cbs;
	c->arg = arg;
	c->state = CONN_CONNECTING;
	snprintf(c->addr, sizeof(c->addr), "?");
	*out = c;
	return 0;
nomem:
	ERR_clear_error();
	SSL_free(c->ssl);
	free(c);
	return -ENOMEM;
}

/* Registers the two handles on loop; on failure c is freed. */
static int
conn_handles(struct nva_conn *c, uv_loop_t *loop)
{
	int	 rc;

	if ((rc = uv_timer_init(loop, &c->timer)) < 0) {
		conn_free(c);
		return rc;
	}
	c->timer.data = c;
	c->handles = 1;
	if ((rc = uv_tcp_init(loop, &c->tcp)) < 0) {
		c->closing = true;
		uv_close((uv_handle_t *)&c->timer, conn_handle_closed);
		return rc;
	}
	c->tcp.data = c;
	c->handles = 2;
	return 0;
}

/* TCP is up: options, the peer's address, reading, the first flight. */
static void
conn_start(struct nva_conn *c)
{
	int	 rc;

	c->tcp_up = true;
	c->state = CONN_HANDSHAKE;
	(void)uv_tcp_nodelay(&c->tcp, 1);	/* pushes are small */
	conn_peer_addr(c);
	if (c->paused) {
		conn_process(c);
		return;
	}
	if ((rc = uv_read_start((uv_stream_t *)&c->tcp, conn_alloc,
	    conn_read)) < 0) {
		conn_fail(c, rc, "read: %s", uv_strerror(rc));
		return;
	}
	c->reading = true;
	conn_process(c);	/* the client sends its hello here */
}

static void
conn_connected(uv_connect_t *req, int status)
{
	struct nva_conn	*c = req->data;

	if (c->user_closed || c->state == CONN_DOWN)
		return;
	if (status < 0) {
		conn_fail(c, status, "connect to %s: %s", c->addr,
		    uv_strerror(status));
		return;
	}
	conn_start(c);
}

int
nva_conn_accept(struct nva_conn **out, uv_stream_t *server,
    struct nva_tls *t, const struct nva_conn_cbs *cbs, void *arg)
{
	struct nva_conn	*c;
	int		 rc;

	if (!t->server)
		return -EINVAL;
	if ((rc = conn_new(&c, t, cbs, arg)) < 0)
		return rc;
	if ((rc = conn_handles(c, server->loop)) < 0)
		return rc;
	if ((rc = uv_accept(server, (uv_stream_t *)&c->tcp)) < 0) {
		c->user_closed = true;
		conn_close_handles(c);
		return rc;
	}
	*out = c;
	/*
	 * Nothing to send yet (the client speaks first), so starting here
	 * calls no callback: on_open needs the client's messages.
	 */
	conn_start(c);
	return 0;
}

int
nva_conn_connect(struct nva_conn **out, uv_loop_t *loop,
    const struct sockaddr *sa, const char *expect_name,
    struct nva_tls *t, const struct nva_conn_cbs *cbs, void *arg)
{
	struct nva_conn	*c;
	int		 rc;

	if (t->server || sa == NULL ||
	    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return -EINVAL;
	if ((rc = conn_new(&c, t, cbs, arg)) < 0)
		return rc;
	if (expect_name != NULL && *expect_name != '\0') {
		/*
		 * The CN is the peer's NVA name, so it counts even when the
		 * certificate has DNS names too; either may match.
		 */
		SSL_set_hostflags(c->ssl, X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT |
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set1_host(c->ssl, expect_name) != 1) {
			ERR_clear_error();
			conn_free(c);
			return -EINVAL;
		}
	}
	fmt_addr(sa, c->addr, sizeof(c->addr));
	if ((rc = conn_handles(c, loop)) < 0)
		return rc;
	c->creq.data = c;
	if ((rc = uv_tcp_connect(&c->creq, &c->tcp, sa, conn_connected)) < 0) {
		c->user_closed = true;
		conn_close_handles(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* ---- the user's calls ------------------------------------------------ */

static bool
conn_writable(const struct nva_conn *c)
{
	return c->state == CONN_OPEN && !c->failed && !c->ended &&
	    !c->user_closed;
}

int
nva_conn_flush(struct nva_conn *c)
{
	int	 rc;

	if (!conn_writable(c))
		return -ENOTCONN;
	if ((rc = conn_encrypt(c)) < 0)
		conn_fail_later(c, rc);
	return rc;
}

int
nva_conn_write(struct nva_conn *c, const void *p, size_t n)
{
	uint8_t	*np;
	size_t	 cap;

	if (!conn_writable(c))
		return -ENOTCONN;
	if (n == 0)
		return 0;
	if (c->ptlen + n < c->ptlen)
		return -ENOMEM;
	if (c->ptlen + n > c->ptcap) {
		cap = c->ptcap > 0 ? c->ptcap : 4096;
		while (cap < c->ptlen + n) {
			if (cap > SIZE_MAX / 2)
				return -ENOMEM;
			cap *= 2;
		}
		if ((np = realloc(c->pt, cap)) == NULL)
			return -ENOMEM;
		c->pt = np;
		c->ptcap = cap;
	}
	memcpy(c->pt + c->ptlen, p, n);
	c->ptlen += n;
	/* The octets are taken; a failure shows as on_close later. */
	if (c->ptlen >= NVA_CONN_FLUSH_AT)
		(void)nva_conn_flush(c);
	return 0;
}

size_t
nva_conn_wq(const struct nva_conn *c)
{
	return c->ptlen + c->inflight;
}

void
nva_conn_pause(struct nva_conn *c, bool pause)
{
	if (c->state == CONN_DOWN || c->paused == pause)
		return;
	c->paused = pause;
	if (c->state == CONN_CONNECTING)
		return;		/* conn_start reads when TCP is up */
	if (pause) {
		if (c->reading)
			uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = false;
		return;
	}
	if (uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read) < 0) {
		conn_fail_later(c, -EIO);
		return;
	}
	c->reading = true;
	/* Records may wait in OpenSSL: deliver them from the loop. */
	if (!c->failed)
		uv_timer_start(&c->timer, conn_timer, 0, 0);
}

void
nva_conn_close(struct nva_conn *c)
{
	if (c == NULL || c->user_closed || c->ended)
		return;
	c->user_closed = true;
	if (c->state == CONN_OPEN && !c->failed) {
		(void)conn_encrypt(c);
		ERR_clear_error();
		(void)SSL_shutdown(c->ssl);	/* close_notify into wbio */
		ERR_clear_error();
		(void)conn_drain(c);
	}
	conn_down(c);
}

bool
nva_conn_is_open(const struct nva_conn *c)
{
	return conn_writable(c);
}

const char *
nva_conn_peer(const struct nva_conn *c)
{
	return c->peer[0] != '\0' ? c->peer : NULL;
}

const char *
nva_conn_addr(const struct nva_conn *c)
{
	return c->addr;
}

const char *
nva_conn_error(const struct nva_conn *c)
{
	return c->err;
}

uint64_t
nva_conn_rx_octets(const struct nva_conn *c)
{
	return c->rx;
}

uint64_t
nva_conn_tx_octets(const struct nva_conn *c)
{
	return c->tx;
}
