#include <stdio.h>
#include <stdlib.h>
#include "cache.h"

#define MAX_ENTRIES 128
#define MIN(a, b) ((a) < (b) ? (a) : (b))

typedef unsigned long hash_t;

typedef struct entry {
    const char *key;
    void *value;
    struct entry *next;
} entry_t;

struct cache {
    entry_t *buckets[MAX_ENTRIES];
    size_t size;
};

enum policy { POLICY_LRU, POLICY_LFU };

static int verbose = 0;

static hash_t hash(const char *key)
{
    hash_t h = 5381;
    while (*key) {
        h = h * 33 + (unsigned char)*key++;
    }
    return h;
}

void *cache_get(struct cache *cache, const char *key)
{
    entry_t *e = cache->buckets[hash(key) % MAX_ENTRIES];
    for (; e != NULL; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            return e->value;
        } else {
            continue;
        }
    }
    switch (cache->size) {
    case 0:
        break;
    default:
        if (verbose) {
            fprintf(stderr, "miss %s\n", key);
        }
    }
    return NULL;
}
