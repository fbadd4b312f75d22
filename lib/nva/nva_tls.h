/*
 * nva_tls.h - one TLS 1.3 connection with mutual certificate checks over
 * a libuv TCP stream: what nvad (server) and nnved (client) use to carry
 * NVA frames.  OpenSSL does the TLS work through memory BIOs; libuv does
 * the socket I/O; nothing here blocks.
 *
 * Rules:
 *   - TLS 1.3 only; both sides present a certificate chained to the
 *     configured CA, or the handshake fails.  The peer's name is the
 *     CN of its certificate (nva_conn_peer()).  A client may also insist
 *     on the server's name (expect_name; checked against CN and DNS
 *     subjectAltNames).
 *   - Writes are buffered plaintext: nva_conn_write() appends, and
 *     nva_conn_flush() encrypts everything buffered into as few records
 *     as possible and hands it to the socket.  The buffer is flushed by
 *     itself once it holds NVA_CONN_FLUSH_AT octets.  Call flush at the
 *     end of each batch of work (timers included: nothing flushes for
 *     you at the end of a loop turn).
 *   - nva_conn_wq() is what waits in user space (plaintext buffered plus
 *     ciphertext handed to libuv and not yet written): senders use it
 *     for back-pressure.
 *   - on_open is called once the handshake is done and the peer checked;
 *     on_data with decrypted octets (any split); on_close exactly once
 *     when the connection ends for any reason other than
 *     nva_conn_close() (peer closed, I/O error, handshake or certificate
 *     failure: err is 0 for an orderly close by the peer, else -errno
 *     or -EPROTO/-EACCES with nva_conn_error() saying why).  After
 *     on_close returns, or after nva_conn_close(), the connection is
 *     gone: its memory is freed once libuv closed the handle.
 *
 * Thread: the loop's.  Relies on OpenSSL 3 and libuv.
 */
#ifndef SPLITNVE_NVA_NVA_TLS_H
#define SPLITNVE_NVA_NVA_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

#define NVA_CONN_FLUSH_AT	(64u * 1024)
#define NVA_TLS_ERR_MAX		256

struct nva_tls;		/* an SSL_CTX with our settings */
struct nva_conn;

/*
 * Loads cert (PEM, may hold the chain), its private key and the CA
 * bundle that peers must chain to; server selects the role.  Returns 0,
 * or -EINVAL/-ENOENT/-ENOMEM with a readable reason in err (file and
 * OpenSSL's words), *out untouched.
 */
int	nva_tls_new(struct nva_tls **out, bool server, const char *cert,
	    const char *key, const char *ca, char *err, size_t errlen);
void	nva_tls_free(struct nva_tls *t);
/* The CN of our own certificate (NULL if it has none). */
const char *nva_tls_own_name(const struct nva_tls *t);

struct nva_conn_cbs {
	void	(*on_open)(struct nva_conn *c, void *arg);
	void	(*on_data)(struct nva_conn *c, const uint8_t *p, size_t n,
		    void *arg);
	void	(*on_close)(struct nva_conn *c, int err, void *arg);
};

/*
 * Server side: accepts one connection from server (call from its
 * connection callback) and starts the handshake.  0 or -errno.
 */
int	nva_conn_accept(struct nva_conn **out, uv_stream_t *server,
	    struct nva_tls *t, const struct nva_conn_cbs *cbs, void *arg);
/*
 * Client side: connects to sa (IPv4 or IPv6) and starts the handshake
 * once TCP is up; a failed connect ends in on_close.  expect_name may be
 * NULL (any certificate from the CA).  0 or -errno (then nothing was
 * created and no callback will come).
 */
int	nva_conn_connect(struct nva_conn **out, uv_loop_t *loop,
	    const struct sockaddr *sa, const char *expect_name,
	    struct nva_tls *t, const struct nva_conn_cbs *cbs, void *arg);

/* Buffers plaintext; 0, or -ENOTCONN (not open / closing), -ENOMEM. */
int	nva_conn_write(struct nva_conn *c, const void *p, size_t n);
/* Encrypts and sends what is buffered; 0 or -errno (then on_close
 * follows from the loop, not from inside this call). */
int	nva_conn_flush(struct nva_conn *c);
/* Octets waiting in user space (see above). */
size_t	nva_conn_wq(const struct nva_conn *c);
/* Stops / restarts reading from the peer (back-pressure). */
void	nva_conn_pause(struct nva_conn *c, bool pause);
/* Flushes what is buffered, sends close_notify, closes; no on_close. */
void	nva_conn_close(struct nva_conn *c);

bool	nva_conn_is_open(const struct nva_conn *c);
/* Peer certificate CN once open, else NULL. */
const char *nva_conn_peer(const struct nva_conn *c);
/* "203.0.113.5:40312" / "[2001:db8:ffff::5]:40312" of the peer. */
const char *nva_conn_addr(const struct nva_conn *c);
/* Why the connection failed, for logs ("" when it did not). */
const char *nva_conn_error(const struct nva_conn *c);
/* Counters for views. */
uint64_t nva_conn_rx_octets(const struct nva_conn *c);
uint64_t nva_conn_tx_octets(const struct nva_conn *c);

#endif /* SPLITNVE_NVA_NVA_TLS_H */
