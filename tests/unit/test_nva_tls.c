/*
 * test_nva_tls.c - nva_tls.c over real sockets on loopback: one libuv
 * loop holds the listener, the server side and the client side (and a
 * 10 s deadline timer, so no case can hang).  The PKI is made here with
 * the OpenSSL API in a mkdtemp folder: a CA, an NVA and an NVE
 * certificate under it, a second CA with its own NVA and NVE, and an
 * NVE whose CN is too long for a name.  Peers outside our rules (no
 * certificate, TLS 1.2 only) are raw blocking OpenSSL clients in a
 * thread.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <uv.h>

#include "nva/nva_tls.h"

#define DEADLINE_MS	10000
#define MIB		(1024u * 1024)
#define LONG_CN		"n123456789012345678901234567890123456789012345678901234567890123"

/* ---- the PKI ----------------------------------------------------------- */

static char	 pki[64];	/* the mkdtemp folder */
static long	 serial = 1;

static void
pki_path(char *buf, size_t len, const char *name, const char *ext)
{
	snprintf(buf, len, "%s/%s.%s", pki, name, ext);
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*e;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/*
 * Makes name.key and name.pem: a CA (issuer NULL: self-signed) or a
 * leaf for both TLS roles with CN and DNS SAN cn.
 */
static void
make_cert_san(const char *name, const char *cn, const char *dns,
    const char *issuer_name)
{
	EVP_PKEY	*key, *ikey = NULL;
	X509		*x, *issuer = NULL;
	FILE		*fp;
	char		 path[256], san[128];

	if (issuer_name != NULL) {
		pki_path(path, sizeof(path), issuer_name, "key");
		assert_non_null(fp = fopen(path, "r"));
		assert_non_null(ikey = PEM_read_PrivateKey(fp, NULL, NULL, NULL));
		fclose(fp);
		pki_path(path, sizeof(path), issuer_name, "pem");
		assert_non_null(fp = fopen(path, "r"));
		assert_non_null(issuer = PEM_read_X509(fp, NULL, NULL, NULL));
		fclose(fp);
	}
	assert_non_null(key = EVP_EC_gen("P-256"));
	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	assert_int_equal(X509_set_pubkey(x, key), 1);
	assert_int_equal(X509_NAME_add_entry_by_txt(X509_get_subject_name(x),
	    "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0), 1);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : X509_get_subject_name(x));
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (issuer == NULL) {
		add_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		snprintf(san, sizeof(san), "DNS:%s", dns);
		add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
		add_ext(x, issuer, NID_ext_key_usage, "serverAuth,clientAuth");
		add_ext(x, issuer, NID_authority_key_identifier, "keyid");
		add_ext(x, issuer, NID_subject_alt_name, san);
	}
	assert_true(X509_sign(x, ikey != NULL ? ikey : key, EVP_sha256()) > 0);

	pki_path(path, sizeof(path), name, "key");
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL,
	    NULL), 1);
	fclose(fp);
	pki_path(path, sizeof(path), name, "pem");
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	fclose(fp);
	X509_free(x);
	X509_free(issuer);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ikey);
}

static void
make_cert(const char *name, const char *cn, const char *issuer_name)
{
	make_cert_san(name, cn, cn, issuer_name);
}

static const char *const pki_names[] = {
	"ca", "nva", "nve", "ca2", "nva-rogue", "nve-rogue", "nve-long",
	"nva-san", "garbage",
};

static int
pki_setup(void **state)
{
	char	 path[256];
	FILE	*fp;

	(void)state;
	snprintf(pki, sizeof(pki), "/tmp/test_nva_tls.XXXXXX");
	if (mkdtemp(pki) == NULL)
		return -1;
	make_cert("ca", "splitnve test CA", NULL);
	make_cert("nva", "nva1", "ca");
	make_cert("nve", "nve1", "ca");
	make_cert("ca2", "another CA", NULL);
	make_cert("nva-rogue", "nva1", "ca2");
	make_cert("nve-rogue", "nve1", "ca2");
	make_cert("nve-long", LONG_CN, "ca");
	make_cert_san("nva-san", "nva7", "nva7.example.net", "ca");
	pki_path(path, sizeof(path), "garbage", "pem");
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fputs("this is not a certificate\n", fp);
	fclose(fp);
	return 0;
}

static int
pki_teardown(void **state)
{
	char	 path[256];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(pki_names) / sizeof(pki_names[0]); i++) {
		pki_path(path, sizeof(path), pki_names[i], "pem");
		unlink(path);
		pki_path(path, sizeof(path), pki_names[i], "key");
		unlink(path);
	}
	rmdir(pki);
	return 0;
}

/* An nva_tls from name.pem/name.key trusting ca.pem. */
static struct nva_tls *
tls_of(bool server, const char *name, const char *ca)
{
	struct nva_tls	*t = NULL;
	char		 cert[256], key[256], cafile[256], err[NVA_TLS_ERR_MAX];

	pki_path(cert, sizeof(cert), name, "pem");
	pki_path(key, sizeof(key), name, "key");
	pki_path(cafile, sizeof(cafile), ca, "pem");
	assert_int_equal(nva_tls_new(&t, server, cert, key, cafile, err,
	    sizeof(err)), 0);
	assert_non_null(t);
	return t;
}

/* ---- the loop ---------------------------------------------------------- */

struct fix;

struct side {
	struct fix	*f;
	struct nva_conn	*c;
	int		 opened, closed, err;
	char		 error[NVA_TLS_ERR_MAX];
	char		 peer[64];
	uint8_t		*rx;
	size_t		 rxlen, rxcap;
	size_t		 rx_at_close;
	unsigned	 ndata;
	bool		 close_in_data;
	bool		 pause_on_open;
	bool		 greet;		/* on_open sends "hi" */
};

struct fix {
	uv_loop_t	 loop;
	uv_tcp_t	 listener;
	uv_timer_t	 deadline;
	bool		 timed_out;
	int		 port;
	struct sockaddr_storage sa;	/* where the listener is */
	struct nva_tls	*stls, *ctls;
	struct side	 srv, cli;
	int		 accept_err;
};

static void
on_open(struct nva_conn *c, void *arg)
{
	struct side	*s = arg;
	const char	*p;

	s->c = c;
	s->opened++;
	assert_true(nva_conn_is_open(c));
	p = nva_conn_peer(c);
	assert_non_null(p);
	snprintf(s->peer, sizeof(s->peer), "%s", p);
	if (s->pause_on_open)
		nva_conn_pause(c, true);
	if (s->greet) {
		assert_int_equal(nva_conn_write(c, "hi", 2), 0);
		assert_int_equal(nva_conn_flush(c), 0);
	}
}

static void
on_data(struct nva_conn *c, const uint8_t *p, size_t n, void *arg)
{
	struct side	*s = arg;

	assert_ptr_equal(c, s->c);
	assert_int_equal(s->closed, 0);
	assert_true(n > 0);
	s->ndata++;
	if (s->rxlen + n > s->rxcap) {
		s->rxcap = (s->rxlen + n) * 2;
		assert_non_null(s->rx = realloc(s->rx, s->rxcap));
	}
	memcpy(s->rx + s->rxlen, p, n);
	s->rxlen += n;
	if (s->close_in_data) {
		nva_conn_close(c);
		s->c = NULL;
	}
}

static void
on_close(struct nva_conn *c, int err, void *arg)
{
	struct side	*s = arg;

	assert_int_equal(s->closed, 0);
	s->closed++;
	s->err = err;
	s->rx_at_close = s->rxlen;
	snprintf(s->error, sizeof(s->error), "%s", nva_conn_error(c));
	s->c = NULL;
	if (getenv("SN_TEST_VERBOSE") != NULL)
		print_message("%s on_close %d \"%s\"\n",
		    s == &s->f->srv ? "server" : "client", err, s->error);
}

static const struct nva_conn_cbs cbs = { on_open, on_data, on_close };

static void
on_connection(uv_stream_t *server, int status)
{
	struct fix	*f = server->data;
	struct nva_conn	*c;

	assert_int_equal(status, 0);
	assert_null(f->srv.c);		/* one connection per case */
	f->accept_err = nva_conn_accept(&c, server, f->stls, &cbs, &f->srv);
	assert_int_equal(f->accept_err, 0);
	f->srv.c = c;
	assert_false(nva_conn_is_open(c));
	assert_null(nva_conn_peer(c));
	assert_int_equal(nva_conn_write(c, "x", 1), -ENOTCONN);
}

static void
on_deadline(uv_timer_t *t)
{
	struct fix	*f = t->data;

	f->timed_out = true;
}

/* Loop, listener on addr (port 0), deadline, the two contexts. */
static int
fix_open(struct fix *f, const char *addr, const char *srv_cert,
    const char *srv_ca, const char *cli_cert, const char *cli_ca)
{
	struct sockaddr_storage	 ss;
	int			 len = sizeof(ss);

	memset(f, 0, sizeof(*f));
	f->srv.f = f->cli.f = f;
	assert_int_equal(uv_loop_init(&f->loop), 0);
	assert_int_equal(uv_timer_init(&f->loop, &f->deadline), 0);
	f->deadline.data = f;
	assert_int_equal(uv_timer_start(&f->deadline, on_deadline,
	    DEADLINE_MS, 0), 0);
	assert_int_equal(uv_tcp_init(&f->loop, &f->listener), 0);
	f->listener.data = f;
	if (strchr(addr, ':') != NULL)
		assert_int_equal(uv_ip6_addr(addr, 0,
		    (struct sockaddr_in6 *)&ss), 0);
	else
		assert_int_equal(uv_ip4_addr(addr, 0,
		    (struct sockaddr_in *)&ss), 0);
	if (uv_tcp_bind(&f->listener, (struct sockaddr *)&ss, 0) != 0 ||
	    uv_listen((uv_stream_t *)&f->listener, 8, on_connection) != 0)
		return -1;
	assert_int_equal(uv_tcp_getsockname(&f->listener,
	    (struct sockaddr *)&f->sa, &len), 0);
	f->port = ntohs(((struct sockaddr_in *)&f->sa)->sin_port);
	if (srv_cert != NULL)
		f->stls = tls_of(true, srv_cert, srv_ca);
	if (cli_cert != NULL)
		f->ctls = tls_of(false, cli_cert, cli_ca);
	return 0;
}

static void
walk_close(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void
fix_close(struct fix *f)
{
	if (f->srv.c != NULL && f->srv.closed == 0)
		nva_conn_close(f->srv.c);
	if (f->cli.c != NULL && f->cli.closed == 0)
		nva_conn_close(f->cli.c);
	uv_close((uv_handle_t *)&f->listener, NULL);
	uv_close((uv_handle_t *)&f->deadline, NULL);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	/* Every handle nva_tls opened is closed again. */
	uv_walk(&f->loop, walk_close, NULL);
	assert_int_equal(uv_loop_close(&f->loop), 0);
	nva_tls_free(f->stls);
	nva_tls_free(f->ctls);
	free(f->srv.rx);
	free(f->cli.rx);
}

typedef bool (*pred_fn)(const struct fix *);

static void
run_until(struct fix *f, pred_fn pred)
{
	while (!pred(f) && !f->timed_out)
		uv_run(&f->loop, UV_RUN_ONCE);
	assert_false(f->timed_out);
}

static bool
both_open(const struct fix *f)
{
	return f->srv.opened && f->cli.opened;
}

static bool
both_closed(const struct fix *f)
{
	return f->srv.closed && f->cli.closed;
}

static bool
srv_closed(const struct fix *f)
{
	return f->srv.closed != 0;
}

static bool
cli_closed(const struct fix *f)
{
	return f->cli.closed != 0;
}

static void
connect_cli(struct fix *f, const char *expect)
{
	assert_int_equal(nva_conn_connect(&f->cli.c, &f->loop,
	    (struct sockaddr *)&f->sa, expect, f->ctls, &cbs, &f->cli), 0);
}

/* ---- cases: set-up ----------------------------------------------------- */

static void
test_tls_new_errors(void **state)
{
	struct nva_tls	*t = (struct nva_tls *)(uintptr_t)0x1;
	char		 cert[256], key[256], ca[256], bad[256], err[NVA_TLS_ERR_MAX];

	(void)state;
	pki_path(cert, sizeof(cert), "nva", "pem");
	pki_path(key, sizeof(key), "nva", "key");
	pki_path(ca, sizeof(ca), "ca", "pem");
	pki_path(bad, sizeof(bad), "absent", "pem");

	err[0] = '\0';
	assert_int_equal(nva_tls_new(&t, true, bad, key, ca, err,
	    sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "absent.pem"));
	assert_ptr_equal(t, (struct nva_tls *)(uintptr_t)0x1);
	err[0] = '\0';
	assert_int_equal(nva_tls_new(&t, true, cert, bad, ca, err,
	    sizeof(err)), -ENOENT);
	assert_true(err[0] != '\0');
	err[0] = '\0';
	assert_int_equal(nva_tls_new(&t, false, cert, key, bad, err,
	    sizeof(err)), -ENOENT);
	assert_true(err[0] != '\0');
	err[0] = '\0';
	assert_int_equal(nva_tls_new(&t, true, NULL, key, ca, err,
	    sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');

	/* A key that is not the certificate's. */
	pki_path(key, sizeof(key), "nve", "key");
	err[0] = '\0';
	assert_int_equal(nva_tls_new(&t, true, cert, key, ca, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not match"));
	pki_path(key, sizeof(key), "nva", "key");

	/* Files that are not PEM of the right kind. */
	pki_path(bad, sizeof(bad), "garbage", "pem");
	err[0] = '\0';
	assert_int_equal(nva_tls_new(&t, true, bad, key, ca, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "garbage.pem"));
	err[0] = '\0';
	assert_int_equal(nva_tls_new(&t, true, cert, bad, ca, err,
	    sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');
	err[0] = '\0';
	assert_int_equal(nva_tls_new(&t, true, cert, key, bad, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "CA file"));
	assert_ptr_equal(t, (struct nva_tls *)(uintptr_t)0x1);

	/* NULL err is allowed. */
	assert_int_equal(nva_tls_new(&t, true, bad, key, ca, NULL, 0),
	    -EINVAL);

	/* And the good one, with its own name. */
	assert_int_equal(nva_tls_new(&t, true, cert, key, ca, err,
	    sizeof(err)), 0);
	assert_string_equal(nva_tls_own_name(t), "nva1");
	nva_tls_free(t);
	nva_tls_free(NULL);
}

/* ---- cases: good sessions ------------------------------------------- */

static void
handshake_on(const char *addr, const char *expect_prefix)
{
	struct fix	 f;
	char		 want[64];

	if (fix_open(&f, addr, "nva", "ca", "nve", "ca") < 0) {
		fix_close(&f);
		skip();
	}
	connect_cli(&f, "nva1");
	/* Not open yet: nothing may be written. */
	assert_int_equal(nva_conn_write(f.cli.c, "x", 1), -ENOTCONN);
	assert_int_equal(nva_conn_flush(f.cli.c), -ENOTCONN);
	assert_false(nva_conn_is_open(f.cli.c));
	assert_null(nva_conn_peer(f.cli.c));
	assert_int_equal(nva_conn_wq(f.cli.c), 0);
	run_until(&f, both_open);

	assert_int_equal(f.srv.opened, 1);
	assert_int_equal(f.cli.opened, 1);
	assert_string_equal(f.srv.peer, "nve1");
	assert_string_equal(f.cli.peer, "nva1");
	assert_string_equal(nva_tls_own_name(f.stls), "nva1");
	assert_string_equal(nva_tls_own_name(f.ctls), "nve1");
	snprintf(want, sizeof(want), "%s%d", expect_prefix, f.port);
	assert_string_equal(nva_conn_addr(f.cli.c), want);
	assert_true(strncmp(nva_conn_addr(f.srv.c), expect_prefix,
	    strlen(expect_prefix)) == 0);
	assert_string_equal(nva_conn_error(f.srv.c), "");
	assert_string_equal(nva_conn_error(f.cli.c), "");
	assert_int_equal(nva_conn_rx_octets(f.cli.c), 0);
	assert_int_equal(nva_conn_tx_octets(f.cli.c), 0);
	assert_int_equal(f.srv.closed + f.cli.closed, 0);
	fix_close(&f);
}

static void
test_handshake(void **state)
{
	(void)state;
	handshake_on("127.0.0.1", "127.0.0.1:");
}

static void
test_handshake_v6(void **state)
{
	(void)state;
	handshake_on("::1", "[::1]:");
}

static uint8_t
pattern(uint32_t seed, size_t i)
{
	uint32_t	 x = (uint32_t)i * 2654435761u + seed;

	return (uint8_t)(x >> 13 ^ x >> 24);
}

/* Writes MIB octets of pattern(seed) in odd pieces, flushing now and then. */
static void
send_mib(struct nva_conn *c, uint32_t seed)
{
	static const size_t	 sizes[] = { 1, 3, 7, 13, 101, 997, 4099,
				    16411, 65537, 3, 70001, 17 };
	uint8_t		*buf;
	size_t		 off = 0, n, i = 0;

	assert_non_null(buf = malloc(MIB));
	for (n = 0; n < MIB; n++)
		buf[n] = pattern(seed, n);
	while (off < MIB) {
		n = sizes[i++ % (sizeof(sizes) / sizeof(sizes[0]))];
		if (n > MIB - off)
			n = MIB - off;
		assert_int_equal(nva_conn_write(c, buf + off, n), 0);
		off += n;
		if (i % 3 == 0)
			assert_int_equal(nva_conn_flush(c), 0);
	}
	assert_int_equal(nva_conn_flush(c), 0);
	free(buf);
}

static bool
both_got_mib(const struct fix *f)
{
	return f->srv.rxlen >= MIB && f->cli.rxlen >= MIB;
}

static void
check_mib(const struct side *s, uint32_t seed)
{
	size_t	 i;

	assert_int_equal(s->rxlen, MIB);
	for (i = 0; i < MIB; i++)
		if (s->rx[i] != pattern(seed, i))
			fail_msg("octet %zu differs", i);
}

static void
test_bulk_both_ways(void **state)
{
	struct fix	 f;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve", "ca"),
	    0);
	connect_cli(&f, NULL);
	run_until(&f, both_open);
	send_mib(f.cli.c, 1);
	send_mib(f.srv.c, 2);
	run_until(&f, both_got_mib);
	check_mib(&f.srv, 1);
	check_mib(&f.cli, 2);
	assert_true(f.srv.ndata > 1);
	assert_int_equal(nva_conn_tx_octets(f.cli.c), MIB);
	assert_int_equal(nva_conn_rx_octets(f.cli.c), MIB);
	assert_int_equal(nva_conn_tx_octets(f.srv.c), MIB);
	assert_int_equal(nva_conn_rx_octets(f.srv.c), MIB);
	assert_int_equal(f.srv.closed + f.cli.closed, 0);
	fix_close(&f);
}

static bool
cli_wq_empty(const struct fix *f)
{
	return nva_conn_wq(f->cli.c) == 0;
}

static bool
srv_got_3000(const struct fix *f)
{
	return f->srv.rxlen >= 3000;
}

/*
 * wq: plaintext while buffered, ciphertext once flushed (TLS 1.3 adds
 * 22 octets per record: 5 header, 1 inner type, 16 tag), 0 once libuv
 * wrote it; a write reaching NVA_CONN_FLUSH_AT flushes by itself.
 */
static void
test_wq(void **state)
{
	struct fix	 f;
	uint8_t		*buf;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve", "ca"),
	    0);
	connect_cli(&f, NULL);
	run_until(&f, both_open);
	assert_non_null(buf = calloc(1, 70000));
	assert_int_equal(nva_conn_wq(f.cli.c), 0);
	assert_int_equal(nva_conn_write(f.cli.c, buf, 1000), 0);
	assert_int_equal(nva_conn_wq(f.cli.c), 1000);
	assert_int_equal(nva_conn_write(f.cli.c, buf, 2000), 0);
	assert_int_equal(nva_conn_wq(f.cli.c), 3000);
	assert_int_equal(nva_conn_write(f.cli.c, buf, 0), 0);
	assert_int_equal(nva_conn_wq(f.cli.c), 3000);
	assert_int_equal(nva_conn_tx_octets(f.cli.c), 0);
	assert_int_equal(nva_conn_flush(f.cli.c), 0);
	assert_int_equal(nva_conn_wq(f.cli.c), 3000 + 22);
	assert_int_equal(nva_conn_tx_octets(f.cli.c), 3000);
	assert_int_equal(nva_conn_flush(f.cli.c), 0);	/* nothing more */
	assert_int_equal(nva_conn_wq(f.cli.c), 3000 + 22);
	run_until(&f, cli_wq_empty);
	run_until(&f, srv_got_3000);
	assert_int_equal(f.srv.rxlen, 3000);

	/* 70000 octets pass NVA_CONN_FLUSH_AT: five records go at once. */
	assert_int_equal(nva_conn_write(f.cli.c, buf, 70000), 0);
	assert_int_equal(nva_conn_wq(f.cli.c), 70000 + 5 * 22);
	assert_int_equal(nva_conn_tx_octets(f.cli.c), 73000);
	run_until(&f, cli_wq_empty);
	free(buf);
	fix_close(&f);
}

static bool
srv_got_1000(const struct fix *f)
{
	return f->srv.rxlen >= 1000;
}

/* A paused side reads nothing until resumed, then gets it all. */
static void
test_pause(void **state)
{
	struct fix	 f;
	uint8_t		 buf[1000];
	int		 i;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve", "ca"),
	    0);
	f.srv.pause_on_open = true;
	connect_cli(&f, NULL);
	run_until(&f, both_open);
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(nva_conn_write(f.cli.c, buf, sizeof(buf)), 0);
	assert_int_equal(nva_conn_flush(f.cli.c), 0);
	run_until(&f, cli_wq_empty);	/* in the server's socket now */
	for (i = 0; i < 20; i++)
		uv_run(&f.loop, UV_RUN_NOWAIT);
	assert_int_equal(f.srv.ndata, 0);
	nva_conn_pause(f.srv.c, false);
	assert_int_equal(f.srv.ndata, 0);	/* delivered from the loop */
	run_until(&f, srv_got_1000);
	assert_int_equal(f.srv.rxlen, 1000);
	assert_memory_equal(f.srv.rx, buf, sizeof(buf));
	fix_close(&f);
}

/* ---- cases: closing ------------------------------------------------- */

/* nva_conn_close() from on_data: no more data, no on_close, and the
 * peer sees an orderly close. */
static void
test_close_in_on_data(void **state)
{
	struct fix	 f;
	char		 a[100], b[100];

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve", "ca"),
	    0);
	f.srv.close_in_data = true;
	connect_cli(&f, NULL);
	run_until(&f, both_open);
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	assert_int_equal(nva_conn_write(f.cli.c, a, sizeof(a)), 0);
	assert_int_equal(nva_conn_flush(f.cli.c), 0);
	assert_int_equal(nva_conn_write(f.cli.c, b, sizeof(b)), 0);
	assert_int_equal(nva_conn_flush(f.cli.c), 0);
	run_until(&f, cli_closed);
	assert_int_equal(f.cli.err, 0);
	assert_int_equal(f.srv.ndata, 1);
	assert_int_equal(f.srv.rxlen, 100);
	assert_memory_equal(f.srv.rx, a, sizeof(a));
	assert_int_equal(f.srv.closed, 0);
	fix_close(&f);
	assert_int_equal(f.srv.closed, 0);	/* never, even later */
}

/* The client writes and closes at once: the server gets everything,
 * then on_close(0). */
static void
test_peer_close(void **state)
{
	struct fix	 f;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve", "ca"),
	    0);
	connect_cli(&f, NULL);
	run_until(&f, both_open);
	assert_int_equal(nva_conn_write(f.cli.c, "bye", 3), 0);
	nva_conn_close(f.cli.c);	/* flushes first */
	f.cli.c = NULL;
	run_until(&f, srv_closed);
	assert_int_equal(f.srv.err, 0);
	assert_int_equal(f.srv.rx_at_close, 3);
	assert_memory_equal(f.srv.rx, "bye", 3);
	assert_string_equal(f.srv.error, "");
	assert_int_equal(f.cli.closed, 0);
	fix_close(&f);
	assert_int_equal(f.cli.closed, 0);
}

static void
test_connect_refused(void **state)
{
	struct fix	 f;
	uv_tcp_t	 probe;
	struct sockaddr_storage ss;
	struct sockaddr_in sin;
	int		 len = sizeof(ss);

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", NULL, NULL, "nve", "ca"),
	    0);
	/* A port that was free a moment ago and is closed again. */
	assert_int_equal(uv_tcp_init(&f.loop, &probe), 0);
	assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &sin), 0);
	assert_int_equal(uv_tcp_bind(&probe, (struct sockaddr *)&sin, 0), 0);
	assert_int_equal(uv_tcp_getsockname(&probe, (struct sockaddr *)&ss,
	    &len), 0);
	uv_close((uv_handle_t *)&probe, NULL);
	uv_run(&f.loop, UV_RUN_NOWAIT);
	assert_int_equal(nva_conn_connect(&f.cli.c, &f.loop,
	    (struct sockaddr *)&ss, NULL, f.ctls, &cbs, &f.cli), 0);
	run_until(&f, cli_closed);
	assert_int_equal(f.cli.err, -ECONNREFUSED);
	assert_int_equal(f.cli.opened, 0);
	assert_non_null(strstr(f.cli.error, "127.0.0.1:"));
	fix_close(&f);
}

/* Closed while TCP connects: no callback at all on that side. */
static void
test_close_while_connecting(void **state)
{
	struct fix	 f;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve", "ca"),
	    0);
	connect_cli(&f, NULL);
	nva_conn_close(f.cli.c);
	f.cli.c = NULL;
	run_until(&f, srv_closed);
	assert_int_equal(f.srv.opened, 0);
	assert_int_equal(f.srv.err, -EPROTO);
	assert_true(f.srv.error[0] != '\0');
	fix_close(&f);
	assert_int_equal(f.cli.opened + f.cli.closed + (int)f.cli.ndata, 0);
}

static void
test_bad_arguments(void **state)
{
	struct fix	 f;
	struct nva_conn	*c = NULL;
	struct sockaddr_storage	 ss;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve", "ca"),
	    0);
	/* A server context cannot connect, a client one cannot accept. */
	assert_int_equal(nva_conn_connect(&c, &f.loop,
	    (struct sockaddr *)&f.sa, NULL, f.stls, &cbs, &f.cli), -EINVAL);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	assert_int_equal(nva_conn_connect(&c, &f.loop,
	    (struct sockaddr *)&ss, NULL, f.ctls, &cbs, &f.cli), -EINVAL);
	assert_int_equal(nva_conn_accept(&c, (uv_stream_t *)&f.listener,
	    f.ctls, &cbs, &f.srv), -EINVAL);
	assert_null(c);
	fix_close(&f);
}

/* ---- cases: refused peers ------------------------------------------- */

static void
test_client_other_ca(void **state)
{
	struct fix	 f;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve-rogue",
	    "ca"), 0);
	connect_cli(&f, NULL);
	run_until(&f, both_closed);
	assert_int_equal(f.srv.opened, 0);
	assert_int_equal(f.srv.err, -EACCES);
	assert_non_null(strstr(f.srv.error, "certificate"));
	/* TLS 1.3: the client may think it is done before the server's
	 * verdict; either way it ends with the server's alert. */
	assert_true(f.cli.err == -EACCES || f.cli.err == -EPROTO);
	assert_true(f.cli.error[0] != '\0');
	fix_close(&f);
}

static void
test_server_other_ca(void **state)
{
	struct fix	 f;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva-rogue", "ca", "nve",
	    "ca"), 0);
	connect_cli(&f, "nva1");
	run_until(&f, both_closed);
	assert_int_equal(f.cli.opened, 0);
	assert_int_equal(f.cli.err, -EACCES);
	assert_non_null(strstr(f.cli.error, "certificate"));
	assert_int_equal(f.srv.opened, 0);
	assert_true(f.srv.err == -EACCES || f.srv.err == -EPROTO);
	assert_true(f.srv.error[0] != '\0');
	fix_close(&f);
}

static void
test_expect_name_mismatch(void **state)
{
	struct fix	 f;

	(void)state;
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve", "ca"),
	    0);
	connect_cli(&f, "nva2");
	run_until(&f, both_closed);
	assert_int_equal(f.cli.opened, 0);
	assert_int_equal(f.cli.err, -EACCES);
	assert_non_null(strstr(f.cli.error, "hostname mismatch"));
	assert_int_equal(f.srv.opened, 0);
	assert_true(f.srv.err < 0);
	fix_close(&f);
}

/* expect_name matches the CN or a DNS name of the server, nothing else. */
static void
expect_case(const char *expect, int want_err)
{
	struct fix	 f;

	assert_int_equal(fix_open(&f, "127.0.0.1", "nva-san", "ca", "nve",
	    "ca"), 0);
	connect_cli(&f, expect);
	if (want_err == 0) {
		run_until(&f, both_open);
		assert_string_equal(f.cli.peer, "nva7");
	} else {
		run_until(&f, both_closed);
		assert_int_equal(f.cli.opened, 0);
		assert_int_equal(f.cli.err, want_err);
	}
	fix_close(&f);
}

static void
test_expect_name_cn_or_san(void **state)
{
	(void)state;
	expect_case("nva7", 0);
	expect_case("nva7.example.net", 0);
	expect_case("example.net", -EACCES);
	expect_case("nva", -EACCES);
}

/* A CN of 64 characters chains to the CA but is no NVA name. */
static void
test_long_cn(void **state)
{
	struct fix	 f;

	(void)state;
	assert_int_equal(strlen(LONG_CN), 64);
	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", "nve-long",
	    "ca"), 0);
	assert_null(nva_tls_own_name(f.ctls));
	connect_cli(&f, NULL);
	run_until(&f, both_closed);
	assert_int_equal(f.srv.opened, 0);
	assert_int_equal(f.srv.err, -EACCES);
	assert_non_null(strstr(f.srv.error, "no usable CN"));
	/* The client had finished its side; then the server's alert. */
	assert_int_equal(f.cli.opened, 1);
	assert_int_equal(f.cli.err, -EACCES);
	assert_non_null(strstr(f.cli.error, "alert"));
	fix_close(&f);
}

/* A blocking OpenSSL client outside our rules, in a thread. */
struct raw {
	struct sockaddr_in sin;
	int		 max_version;
	bool		 with_cert;
	bool		 rst;		/* reset the TCP connection once done */
	int		 connected;	/* SSL_connect returned 1 */
	int		 greeted;	/* rst: read the server's "hi" */
	pthread_t	 th;
};

static void *
raw_run(void *arg)
{
	struct raw	*r = arg;
	struct timeval	 tv = { DEADLINE_MS / 1000, 0 };
	SSL_CTX		*ctx;
	SSL		*ssl;
	char		 buf[64], cert[256], key[256];
	int		 fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&r->sin, sizeof(r->sin)) != 0) {
		close(fd);
		return NULL;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_max_proto_version(ctx, r->max_version);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (r->with_cert) {
		pki_path(cert, sizeof(cert), "nve", "pem");
		pki_path(key, sizeof(key), "nve", "key");
		SSL_CTX_use_certificate_chain_file(ctx, cert);
		SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM);
	}
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) == 1) {
		r->connected = 1;
		if (r->rst) {
			struct linger	 l = { 1, 0 };

			/* The server is open once its greeting is here;
			 * then nothing waits unread at its end. */
			if (SSL_read(ssl, buf, sizeof(buf)) == 2)
				r->greeted = 1;
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		} else
			(void)SSL_read(ssl, buf, sizeof(buf));	/* the verdict */
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	ERR_clear_error();
	return NULL;
}

static void
raw_case(int max_version, bool with_cert, bool rst, int want_err,
    int want_connected)
{
	struct fix	 f;
	struct raw	 r;

	assert_int_equal(fix_open(&f, "127.0.0.1", "nva", "ca", NULL, NULL),
	    0);
	memset(&r, 0, sizeof(r));
	r.sin.sin_family = AF_INET;
	r.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r.sin.sin_port = htons((uint16_t)f.port);
	r.max_version = max_version;
	r.with_cert = with_cert;
	r.rst = rst;
	f.srv.greet = rst;
	assert_int_equal(pthread_create(&r.th, NULL, raw_run, &r), 0);
	run_until(&f, srv_closed);
	assert_int_equal(pthread_join(r.th, NULL), 0);
	assert_int_equal(f.srv.opened, rst ? 1 : 0);
	assert_int_equal(r.greeted, rst ? 1 : 0);
	assert_int_equal(f.srv.err, want_err);
	assert_true(f.srv.error[0] != '\0');
	assert_int_equal(r.connected, want_connected);
	fix_close(&f);
}

static void
test_client_without_cert(void **state)
{
	(void)state;
	/* TLS 1.3: the client finishes before the server refuses it. */
	raw_case(TLS1_3_VERSION, false, false, -EACCES, 1);
}

static void
test_client_tls12(void **state)
{
	(void)state;
	raw_case(TLS1_2_VERSION, true, false, -EPROTO, 0);
}

/*
 * A peer that resets the connection: on_close with the socket's errno.
 * (The reset comes when the server has read everything: libuv reports
 * a reset right behind unread data as end of file.)
 */
static void
test_peer_reset(void **state)
{
	(void)state;
	raw_case(TLS1_3_VERSION, true, true, -ECONNRESET, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls_new_errors),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_handshake_v6),
		cmocka_unit_test(test_bulk_both_ways),
		cmocka_unit_test(test_wq),
		cmocka_unit_test(test_pause),
		cmocka_unit_test(test_close_in_on_data),
		cmocka_unit_test(test_peer_close),
		cmocka_unit_test(test_connect_refused),
		cmocka_unit_test(test_close_while_connecting),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_client_other_ca),
		cmocka_unit_test(test_server_other_ca),
		cmocka_unit_test(test_expect_name_mismatch),
		cmocka_unit_test(test_expect_name_cn_or_san),
		cmocka_unit_test(test_long_cn),
		cmocka_unit_test(test_client_without_cert),
		cmocka_unit_test(test_client_tls12),
		cmocka_unit_test(test_peer_reset),
	};

	return cmocka_run_group_tests(tests, pki_setup, pki_teardown);
}
