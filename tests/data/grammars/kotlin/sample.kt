@file:JvmName("Caching")

package com.example.cache

import java.util.concurrent.ConcurrentHashMap
import kotlinx.coroutines.flow.*
import com.example.store.Backend as StoreBackend
import kotlin.math.max

const val MAX_ENTRIES = 128
val defaultPolicy: Policy = Policy.LRU
var verbose = false

typealias Loader<K, V> = (K) -> V?

interface Cache<K, V> {
    fun get(key: K): V?

    fun contains(key: K): Boolean = get(key) != null
}

enum class Policy {
    LRU, LFU;

    fun evictsOldest(): Boolean {
        return this == LRU
    }
}

data class Entry<K, V>(val key: K, val value: V)

sealed class CacheError(message: String) : Exception(message) {
    class Missing(val key: String) : CacheError("missing $key")
}

class LruCache<K, V>(private val backend: StoreBackend<K, V>) : Cache<K, V> {
    private val entries = ConcurrentHashMap<K, V>()
    var hits: Int = 0
        private set

    constructor(loader: Loader<K, V>) : this(StoreBackend.of(loader))

    init {
        require(MAX_ENTRIES > 0)
    }

    override fun get(key: K): V? {
        val value = entries[key]
        if (value == null) {
            try {
                val loaded = backend.load(key) ?: return null
                entries[key] = loaded
                return loaded
            } catch (e: IllegalStateException) {
                return null
            } finally {
                hits = max(hits, 0)
            }
        } else if (entries.size > MAX_ENTRIES) {
            for (k in entries.keys) {
                entries.remove(k)
            }
        }
        val describe = { v: V -> v.toString() }
        while (entries.size > MAX_ENTRIES) {
            evict()
        }
        return when (value) {
            is String -> {
                value
            }
            else -> value
        }
    }

    private fun evict() {
        entries.keys.firstOrNull()?.let { k ->
            entries.remove(k)
        }
    }

    companion object {
        fun <K, V> empty(): LruCache<K, V> = LruCache { null }
    }
}

object Registry {
    private val caches = mutableListOf<Cache<*, *>>()

    fun register(cache: Cache<*, *>) {
        caches.add(cache)
        thread(name = "warmup") {
            cache.contains(caches.size)
        }
    }
}

fun <K, V> Cache<K, V>.getOrThrow(key: K): V =
    get(key) ?: throw CacheError.Missing(key.toString())

fun dump(cache: LruCache<String, String>) {
    val text = """
        {"hits": ${cache.hits}}
    """.trimIndent()
    println(text)
}
