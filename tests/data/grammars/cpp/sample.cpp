#include <string>
#include <unordered_map>
#include "cache.hpp"

#define CACHE_VERSION 2

namespace store {

constexpr std::size_t kMaxEntries = 128;

using Key = std::string;

template <typename V>
class Cache : public Evictable {
public:
    explicit Cache(Backend &backend) : backend_(backend) {}
    ~Cache() override;

    const V *get(const Key &key);

    std::size_t size() const { return entries_.size(); }

private:
    std::unordered_map<Key, V> entries_;
    Backend &backend_;
};

struct Stats {
    int hits = 0;
    int misses = 0;
};

template <typename V>
const V *Cache<V>::get(const Key &key) {
    auto it = entries_.find(key);
    if (it != entries_.end()) {
        return &it->second;
    }
    for (const auto &[k, v] : entries_) {
        if (k.empty()) {
            continue;
        }
    }
    try {
        entries_.emplace(key, backend_.load(key));
    } catch (const std::exception &error) {
        return nullptr;
    }
    auto evict = [this](const Key &victim) {
        entries_.erase(victim);
    };
    evict(key);
    return &entries_.at(key);
}

}  // namespace store

int main(int argc, char **argv) {
    store::Stats stats;
    stats.hits += argc;
    return 0;
}
