/*
 * dir_priv.h - the directory's insides, shared by dir.c (the rules) and
 * dir_rec.c (records <-> directory: load, persist, apply records other
 * writers put in a shared store).  Nothing outside those two files
 * includes it; everyone else goes through nvad.h.
 */
#ifndef NVAD_DIR_PRIV_H
#define NVAD_DIR_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nvad.h"

#define DIR_NVE_MAX		(1u << 20)

/*
 * Entry flag of the directory's own, beside nvad.h's DIR_F_*: the rules
 * gave e->rev (dir rev + 1) and no store revision replaced it yet
 * (dir_ent_set_rev, or a record applied or loaded).  Never in records.
 * A record from a shared store applies to such an entry whatever its
 * revision: the change it holds is not in the store (it may still lose
 * a race there), and tentative revisions can run ahead of the store's.
 */
#define DIR_F_TENTATIVE	0x80

/*
 * Entries live in slabs of DIR_SLAB_OCTETS octets aligned to their own
 * size, each opening with its directory, so an entry finds its
 * directory by masking its address (dir_ent_set_rev() gets only the
 * entry but must keep its VN's newest revision right).
 */
#define DIR_SLAB_OCTETS		((size_t)1 << 19)
struct dir_slab {
	struct dir	*d;
	struct dir_ent	 ents[];
};
#define DIR_SLAB	((DIR_SLAB_OCTETS - sizeof(struct dir_slab)) / \
			    sizeof(struct dir_ent))

#define ENT_HASH(vn, a)	hash_bytes((a)->a, (a)->len, \
			    (vn) | (uint32_t)(a)->len << 24)
#define NAME_HASH(s)	hash_bytes((s), strlen(s), 0x6e7665)
#define SUB_HASH(vn, p, l) hash_bytes((p)->a, (p)->len, \
			    (vn) ^ (uint32_t)(l) << 24)
#define VN_HASH(vn)	hash_add32(0, (vn))
#define ALIVE(e)	((e)->state == NVA_ST_ASSOCIATED || \
			    (e)->state == NVA_ST_ACTIVATED)
#define VN_OK(vn)	((vn) >= 1 && (vn) <= NVA_VN_MAX)

struct dir_nve_slot {
	struct dir_nve	 nve;		/* first: slot == NVE */
	struct hnode	 node;		/* d->nve_names */
};

struct dir {
	const struct nvad_conf *conf;	/* never NULL (defconf) */
	struct hmap	 ents;		/* struct dir_ent */
	struct hmap	 vns;		/* struct dir_vn */
	struct hmap	 subnets;	/* struct dir_subnet */
	struct hmap	 nve_names;	/* struct dir_nve_slot */
	struct dir_slab	**slabs;
	size_t		 nslabs, cslabs;
	size_t		 slab_used;	/* used in the last slab */
	struct dir_nve_slot **nves;	/* by index */
	size_t		 nnves, cnves;
	unsigned	 ntenants;	/* tenant_refs arrays are this long */
	uint64_t	 rev, epoch;
	struct dir_counters cnt;
	struct dir_alert *alerts;	/* oldest first */
	size_t		 nalerts, calerts;
	uint64_t	 alert_id;
	char		 (*scratch)[NVA_NAME_MAX + 1]; /* subnet_rec */
	size_t		 cscratch;
	uint64_t	 mem;		/* octets allocated but buckets */
};

/* Helpers of dir.c that dir_rec.c uses too. */

/* Room for need more elements in *arrp (n used, *cap allocated);
 * mem (may be NULL) counts the octets.  0 or -ENOMEM. */
int	dirp_room(uint64_t *mem, void *arrp, size_t n, size_t *cap,
	    size_t need, size_t sz);
/* Tenant index of vn, -1 without tenants. */
int	dirp_tenant_of(const struct dir *d, uint32_t vn);
bool	dirp_name_ok(const char *s);
/* 4 or 16 octets, no bit set past plen. */
bool	dirp_prefix_ok(const struct nva_addr *p, unsigned plen);
/* The name of NVE idx, "-" for none. */
const char *dirp_nve_name(const struct dir *d, uint32_t idx);
struct dir_nve_slot *dirp_slot_find(const struct dir *d, const char *name);
/* The NVE called name, made when missing (NULL: no memory, too many). */
struct dir_nve_slot *dirp_slot_get(struct dir *d, const char *name);
/* A fresh entry (state NONE, no owner) linked everywhere, or NULL. */
struct dir_ent *dirp_ent_new(struct dir *d, uint32_t vn,
	    const struct nva_addr *a);
/* Moves e to owner idx in state st (t: the VN's tenant), keeping the
 * owned counts, tenant references and v->active right. */
void	dirp_ent_set(struct dir *d, struct dir_vn *v, struct dir_ent *e,
	    uint32_t idx, enum nva_state st, int t);
/* The directory e lives in. */
struct dir *dirp_of(const struct dir_ent *e);
struct dir_subnet *dirp_subnet_find(const struct dir *d, uint32_t vn,
	    const struct nva_addr *p, unsigned plen);
/* Attaches NVE idx to (vn, p/plen): 1 added, 0 already, -ENOMEM. */
int	dirp_subnet_add(struct dir *d, uint32_t vn, const struct nva_addr *p,
	    unsigned plen, uint32_t idx, struct dir_subnet **sp);

#endif /* NVAD_DIR_PRIV_H */
