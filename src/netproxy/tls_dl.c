/* dlopen of libssl.so.3 / libcrypto.so.3 (Debian 12's libssl3). */
#include <dlfcn.h>
#include <stdio.h>

#include "netproxy/tls_dl.h"

static struct tls_api api;
static int state; /* 0 not tried, 1 loaded, -1 failed */
static char failure[256];

#define SYM(lib, name)                                                                                 \
    do {                                                                                               \
        *(void **)&api.name = dlsym(lib, #name);                                                       \
        if (!api.name) {                                                                               \
            snprintf(failure, sizeof failure, "the installed OpenSSL lacks %s; install libssl3", #name); \
            return -1;                                                                                 \
        }                                                                                              \
    } while (0)

static int load(void)
{
    void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    void *ssl = crypto ? dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!ssl) {
        snprintf(failure, sizeof failure,
                 "limited network mode needs OpenSSL to inspect HTTPS, and it cannot be loaded (%s); "
                 "install it with: apt-get install libssl3",
                 dlerror());
        return -1;
    }
    SYM(crypto, EVP_PKEY_Q_keygen);
    SYM(crypto, EVP_PKEY_free);
    SYM(crypto, EVP_sha256);
    SYM(crypto, X509_new);
    SYM(crypto, X509_free);
    SYM(crypto, X509_set_version);
    SYM(crypto, X509_get_serialNumber);
    SYM(crypto, ASN1_INTEGER_set_uint64);
    SYM(crypto, X509_getm_notBefore);
    SYM(crypto, X509_getm_notAfter);
    SYM(crypto, ASN1_TIME_set_string_X509);
    SYM(crypto, X509_set_pubkey);
    SYM(crypto, X509_get_subject_name);
    SYM(crypto, X509_set_issuer_name);
    SYM(crypto, X509_NAME_add_entry_by_txt);
    SYM(crypto, X509V3_set_ctx);
    SYM(crypto, X509V3_EXT_conf_nid);
    SYM(crypto, X509_add_ext);
    SYM(crypto, X509_EXTENSION_free);
    SYM(crypto, X509_sign);
    SYM(crypto, PEM_write_bio_X509);
    SYM(crypto, BIO_new);
    SYM(crypto, BIO_s_mem);
    SYM(crypto, BIO_read);
    SYM(crypto, BIO_write);
    SYM(crypto, BIO_ctrl);
    SYM(crypto, BIO_free);
    SYM(crypto, ERR_get_error);
    SYM(crypto, ERR_error_string_n);
    SYM(crypto, ERR_clear_error);
    SYM(crypto, RAND_bytes);
    SYM(crypto, X509_VERIFY_PARAM_set1_host);
    SYM(crypto, X509_VERIFY_PARAM_set1_ip_asc);
    SYM(crypto, X509_verify_cert_error_string);
    SYM(ssl, TLS_server_method);
    SYM(ssl, TLS_client_method);
    SYM(ssl, SSL_CTX_new);
    SYM(ssl, SSL_CTX_free);
    SYM(ssl, SSL_CTX_ctrl);
    SYM(ssl, SSL_CTX_set_verify);
    SYM(ssl, SSL_CTX_set_default_verify_paths);
    SYM(ssl, SSL_CTX_load_verify_locations);
    SYM(ssl, SSL_new);
    SYM(ssl, SSL_free);
    SYM(ssl, SSL_set_bio);
    SYM(ssl, SSL_set_accept_state);
    SYM(ssl, SSL_set_connect_state);
    SYM(ssl, SSL_do_handshake);
    SYM(ssl, SSL_read);
    SYM(ssl, SSL_write);
    SYM(ssl, SSL_get_error);
    SYM(ssl, SSL_shutdown);
    SYM(ssl, SSL_ctrl);
    SYM(ssl, SSL_get0_param);
    SYM(ssl, SSL_get_verify_result);
    SYM(ssl, SSL_use_certificate);
    SYM(ssl, SSL_use_PrivateKey);
    SYM(ssl, SSL_set_alpn_protos);
    SYM(ssl, SSL_is_init_finished);
    return 0;
}

const struct tls_api *tls_api_get(char *err, size_t errlen)
{
    if (state == 0)
        state = load() == 0 ? 1 : -1;
    if (state < 0) {
        snprintf(err, errlen, "%s", failure);
        return NULL;
    }
    return &api;
}
