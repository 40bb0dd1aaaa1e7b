package com.example.cache

import scala.collection.mutable
import scala.concurrent.{ExecutionContext, Future => AsyncResult}
import scala.util.control.NonFatal
import com.example.store._

trait Cache[K, V] {
  def get(key: K): Option[V]

  def contains(key: K): Boolean = get(key).isDefined
}

sealed trait Policy
case object Lru extends Policy
case object Lfu extends Policy

final case class Entry[K, V](key: K, value: V)

class LruCache[K, V](backend: Backend[K, V], maxEntries: Int = LruCache.MaxEntries)
    extends Cache[K, V] {
  private val entries = mutable.LinkedHashMap.empty[K, V]
  var hits: Int = 0

  def this(loader: K => V) = this(Backend.of(loader))

  override def get(key: K): Option[V] = {
    val value = entries.get(key)
    if (value.isEmpty) {
      try {
        val loaded = backend.load(key)
        entries.update(key, loaded)
        Some(loaded)
      } catch {
        case NonFatal(e) => None
      } finally {
        hits = math.max(hits, 0)
      }
    } else if (entries.size > maxEntries) {
      for (k <- entries.keys) {
        entries.remove(k)
      }
      value
    } else {
      value
    }
  }

  private def evict(): Unit = {
    while (entries.size > maxEntries) {
      entries.headOption.foreach { case (k, _) =>
        entries.remove(k)
      }
    }
  }

  def describe(policy: Policy): String = policy match {
    case Lru => "least recently used"
    case Lfu => "least frequently used"
  }
}

object LruCache {
  val MaxEntries: Int = 128
  final val Version = "1.0"
  type Loader[K, V] = K => Option[V]

  def empty[K, V](implicit ec: ExecutionContext): LruCache[K, V] =
    new LruCache(Backend.none[K, V])
}

val verbose = false

def dump(cache: LruCache[String, String]): String = {
  val text = s"""{"hits": ${cache.hits}}"""
  val transform = (s: String) => {
    s.trim
  }
  val width = List(1, 2).foldLeft(0) { (acc, n) =>
    acc + n
  }
  transform(text) * width
}

// Scala 3: bodies by indentation.
enum Level:
  case Debug, Info

extension (cache: LruCache[String, String])
  def summary: String =
    val size = cache.hits
    s"hits: $size"
