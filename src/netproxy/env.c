/* The environment of a command behind the proxy, as the reference sets it
 * (every client library reads a different variable), plus the cloud
 * documentation's CODEX_PROXY_CERT. */
#include <stdio.h>

#include "netproxy/netproxy.h"
#include "util/xalloc.h"

static const char *const http_names[] = {
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
    "WS_PROXY", "WSS_PROXY", "ws_proxy", "wss_proxy",
    "NPM_CONFIG_PROXY", "NPM_CONFIG_HTTP_PROXY", "NPM_CONFIG_HTTPS_PROXY",
    "npm_config_proxy", "npm_config_http_proxy", "npm_config_https_proxy",
    "YARN_HTTP_PROXY", "YARN_HTTPS_PROXY", "BUNDLE_HTTP_PROXY", "BUNDLE_HTTPS_PROXY",
    "DOCKER_HTTP_PROXY", "DOCKER_HTTPS_PROXY", "PIP_PROXY", NULL,
};
static const char *const socks_names[] = {"ALL_PROXY", "all_proxy", "FTP_PROXY", "ftp_proxy", NULL};
static const char *const no_proxy_names[] = {"NO_PROXY", "no_proxy", "NPM_CONFIG_NOPROXY", "npm_config_noproxy",
                                             "BUNDLE_NO_PROXY", NULL};
static const char *const ca_names[] = {
    "CODEX_CA_CERTIFICATE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "NODE_EXTRA_CA_CERTS",
    "PIP_CERT", "REQUESTS_CA_BUNDLE", "NPM_CONFIG_CAFILE", "npm_config_cafile", "CARGO_HTTP_CAINFO",
    "BUNDLE_SSL_CA_CERT", NULL,
};

const char *const netproxy_env_names[] = {
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "WS_PROXY", "WSS_PROXY", "ws_proxy",
    "wss_proxy", "NPM_CONFIG_PROXY", "NPM_CONFIG_HTTP_PROXY", "NPM_CONFIG_HTTPS_PROXY", "npm_config_proxy",
    "npm_config_http_proxy", "npm_config_https_proxy", "YARN_HTTP_PROXY", "YARN_HTTPS_PROXY",
    "BUNDLE_HTTP_PROXY", "BUNDLE_HTTPS_PROXY", "DOCKER_HTTP_PROXY", "DOCKER_HTTPS_PROXY", "PIP_PROXY",
    "ALL_PROXY", "all_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy", "NPM_CONFIG_NOPROXY",
    "npm_config_noproxy", "BUNDLE_NO_PROXY", "ELECTRON_GET_USE_PROXY", "NODE_USE_ENV_PROXY",
    "CODEX_NETWORK_PROXY_ACTIVE", "CODEX_NETWORK_ALLOW_LOCAL_BINDING", "CODEX_CA_CERTIFICATE",
    "SSL_CERT_FILE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO", "NODE_EXTRA_CA_CERTS", "PIP_CERT",
    "REQUESTS_CA_BUNDLE", "NPM_CONFIG_CAFILE", "npm_config_cafile", "CARGO_HTTP_CAINFO",
    "BUNDLE_SSL_CA_CERT", "CODEX_PROXY_CERT", NULL,
};

static void put_all(struct strvec *out, const char *const *names, const char *value)
{
    for (; *names; names++)
        strvec_push_owned(out, xasprintf("%s=%s", *names, value));
}

void netproxy_child_env(const struct netproxy_env_spec *spec, struct strvec *out)
{
    char http[64], socks[64];
    snprintf(http, sizeof http, "http://127.0.0.1:%u", (unsigned)spec->http_port);
    if (spec->socks_port)
        snprintf(socks, sizeof socks, "socks5h://127.0.0.1:%u", (unsigned)spec->socks_port);
    else
        snprintf(socks, sizeof socks, "%s", http);
    put_all(out, http_names, http);
    put_all(out, socks_names, socks);
    put_all(out, no_proxy_names,
            spec->allow_local_binding ? "localhost,127.0.0.1,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16" : "");
    strvec_push(out, "ELECTRON_GET_USE_PROXY=true");
    strvec_push(out, "NODE_USE_ENV_PROXY=1");
    strvec_push(out, "CODEX_NETWORK_PROXY_ACTIVE=1");
    strvec_push(out, spec->allow_local_binding ? "CODEX_NETWORK_ALLOW_LOCAL_BINDING=1"
                                               : "CODEX_NETWORK_ALLOW_LOCAL_BINDING=0");
    if (spec->ca_bundle) {
        put_all(out, ca_names, spec->ca_bundle);
        if (spec->ca_cert)
            strvec_push_owned(out, xasprintf("CODEX_PROXY_CERT=%s", spec->ca_cert));
    }
}
