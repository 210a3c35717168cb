/* OpenSSL, loaded with dlopen when a limited-mode proxy starts and never
 * otherwise: codex itself and proxies in full mode do not map it. */
#ifndef CODEX_NETPROXY_TLS_DL_H
#define CODEX_NETPROXY_TLS_DL_H

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define TLS_FN(name) __typeof__(name) *name

struct tls_api {
    /* libcrypto */
    TLS_FN(EVP_PKEY_Q_keygen);
    TLS_FN(EVP_PKEY_free);
    TLS_FN(EVP_sha256);
    TLS_FN(X509_new);
    TLS_FN(X509_free);
    TLS_FN(X509_set_version);
    TLS_FN(X509_get_serialNumber);
    TLS_FN(ASN1_INTEGER_set_uint64);
    TLS_FN(X509_getm_notBefore);
    TLS_FN(X509_getm_notAfter);
    TLS_FN(ASN1_TIME_set_string_X509);
    TLS_FN(X509_set_pubkey);
    TLS_FN(X509_get_subject_name);
    TLS_FN(X509_set_issuer_name);
    TLS_FN(X509_NAME_add_entry_by_txt);
    TLS_FN(X509V3_set_ctx);
    TLS_FN(X509V3_EXT_conf_nid);
    TLS_FN(X509_add_ext);
    TLS_FN(X509_EXTENSION_free);
    TLS_FN(X509_sign);
    TLS_FN(PEM_write_bio_X509);
    TLS_FN(BIO_new);
    TLS_FN(BIO_s_mem);
    TLS_FN(BIO_read);
    TLS_FN(BIO_write);
    TLS_FN(BIO_ctrl);
    TLS_FN(BIO_free);
    TLS_FN(ERR_get_error);
    TLS_FN(ERR_error_string_n);
    TLS_FN(ERR_clear_error);
    TLS_FN(RAND_bytes);
    TLS_FN(X509_VERIFY_PARAM_set1_host);
    TLS_FN(X509_VERIFY_PARAM_set1_ip_asc);
    TLS_FN(X509_verify_cert_error_string);
    /* libssl */
    TLS_FN(TLS_server_method);
    TLS_FN(TLS_client_method);
    TLS_FN(SSL_CTX_new);
    TLS_FN(SSL_CTX_free);
    TLS_FN(SSL_CTX_ctrl);
    TLS_FN(SSL_CTX_set_verify);
    TLS_FN(SSL_CTX_set_default_verify_paths);
    TLS_FN(SSL_CTX_load_verify_locations);
    TLS_FN(SSL_new);
    TLS_FN(SSL_free);
    TLS_FN(SSL_set_bio);
    TLS_FN(SSL_set_accept_state);
    TLS_FN(SSL_set_connect_state);
    TLS_FN(SSL_do_handshake);
    TLS_FN(SSL_read);
    TLS_FN(SSL_write);
    TLS_FN(SSL_get_error);
    TLS_FN(SSL_shutdown);
    TLS_FN(SSL_ctrl);
    TLS_FN(SSL_get0_param);
    TLS_FN(SSL_get_verify_result);
    TLS_FN(SSL_use_certificate);
    TLS_FN(SSL_use_PrivateKey);
    TLS_FN(SSL_set_alpn_protos);
    TLS_FN(SSL_is_init_finished);
};

/* The loaded API, or NULL with one line in err.  Loaded once per process. */
const struct tls_api *tls_api_get(char *err, size_t errlen);

#endif
