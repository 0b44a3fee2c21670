/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SHA-256 through libcrypto (OpenSSL).  Only recovery hashes anything,
 * while loading and initialising libcrypto costs every process linked to
 * it about 4 ms of CPU at start-up (measured on the benchmark VM, a fifth
 * of a whole-host scan); so the library is not linked against it but opens
 * it with dlopen() when procexe_copy_init() is called or a hash is first
 * wanted, and keeps it loaded.
 */
#include <dlfcn.h>
#include <pthread.h>

#include <openssl/evp.h>

#include "internal.h"

#ifndef PE_LIBCRYPTO_SONAME
#error "PE_LIBCRYPTO_SONAME must name libcrypto's shared object (meson.build)"
#endif

static struct {
	__typeof__(&EVP_MD_CTX_new) ctx_new;
	__typeof__(&EVP_MD_CTX_free) ctx_free;
	__typeof__(&EVP_DigestInit_ex) init;
	__typeof__(&EVP_DigestUpdate) update;
	__typeof__(&EVP_DigestFinal_ex) final;
	__typeof__(&EVP_sha256) sha256;
} evp;

/* Set (release) once every pointer of evp is filled; never cleared. */
static bool evp_ready;
static pthread_mutex_t evp_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Open libcrypto and fill evp; 0 or -ELIBACC.  A failure is not
 * remembered: it may come from a passing shortage (a full descriptor
 * table gives EMFILE to the open inside dlopen), so the next call tries
 * again.  Called with evp_lock held.
 */
static int load_evp(void)
{
	void *h = dlopen(PE_LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return -ELIBACC;
	evp.ctx_new = (__typeof__(evp.ctx_new))dlsym(h, "EVP_MD_CTX_new");
	evp.ctx_free = (__typeof__(evp.ctx_free))dlsym(h, "EVP_MD_CTX_free");
	evp.init = (__typeof__(evp.init))dlsym(h, "EVP_DigestInit_ex");
	evp.update = (__typeof__(evp.update))dlsym(h, "EVP_DigestUpdate");
	evp.final = (__typeof__(evp.final))dlsym(h, "EVP_DigestFinal_ex");
	evp.sha256 = (__typeof__(evp.sha256))dlsym(h, "EVP_sha256");
	if (!evp.ctx_new || !evp.ctx_free || !evp.init || !evp.update || !evp.final ||
	    !evp.sha256) {
		dlclose(h);
		return -ELIBACC;
	}
	/* Never closed once loaded: the functions stay in use for the
	 * process's life. */
	return 0;
}

int pe_sha256_load(void)
{
	int r = 0;

	if (__atomic_load_n(&evp_ready, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&evp_lock);
	if (!evp_ready) {
		r = load_evp();
		if (r == 0)
			__atomic_store_n(&evp_ready, true, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&evp_lock);
	return r;
}

int pe_sha256_new(struct pe_sha256 **ret)
{
	EVP_MD_CTX *md;
	int r = pe_sha256_load();

	if (r < 0)
		return r;
	md = evp.ctx_new();
	if (!md)
		return -ENOMEM;
	if (evp.init(md, evp.sha256(), NULL) != 1) {
		evp.ctx_free(md);
		return -EIO;
	}
	*ret = (struct pe_sha256 *)md;
	return 0;
}

int pe_sha256_update(struct pe_sha256 *h, const void *buf, size_t len)
{
	return evp.update((EVP_MD_CTX *)h, buf, len) == 1 ? 0 : -EIO;
}

int pe_sha256_final(struct pe_sha256 *h, unsigned char out[32])
{
	unsigned int len = 0;

	if (evp.final((EVP_MD_CTX *)h, out, &len) != 1 || len != 32)
		return -EIO;
	return 0;
}

void pe_sha256_free(struct pe_sha256 *h)
{
	if (h)
		evp.ctx_free((EVP_MD_CTX *)h);
}
