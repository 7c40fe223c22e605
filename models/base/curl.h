#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

/// The one place LaneDeck touches libcurl's lifetime rules: the process-wide initialisation (once, before the
/// first handle) and owning handles that clean up on every exit path. The cluster client (models/kube) and
/// the sampler (models/traffic) build on it.
namespace lanedeck::curl {

/// curl_global_init, once per process and thread-safe; every handle maker below calls it first.
void globalInit();

struct EasyDeleter
{
    void operator()(CURL *easy) const noexcept { curl_easy_cleanup(easy); }
};
struct MultiDeleter
{
    void operator()(CURLM *multi) const noexcept { curl_multi_cleanup(multi); }
};
struct UrlDeleter
{
    void operator()(CURLU *url) const noexcept { curl_url_cleanup(url); }
};
struct SlistDeleter
{
    void operator()(curl_slist *list) const noexcept { curl_slist_free_all(list); }
};

/// An easy handle. Remove it from its multi handle before it goes (Multi::detach or
/// curl_multi_remove_handle).
using Easy = std::unique_ptr<CURL, EasyDeleter>;
/// A multi handle. Its easy handles must have been removed, or must outlive it, when it goes.
using Multi = std::unique_ptr<CURLM, MultiDeleter>;

/// A parsed URL (curl_url()).
using Url = std::unique_ptr<CURLU, UrlDeleter>;

/// A new easy handle, or null when libcurl is out of memory.
Easy makeEasy();
/// A new multi handle, or null when libcurl is out of memory.
Multi makeMulti();

/// A header (or CONNECT_TO) list that frees itself. get() is null while the list is empty, as libcurl wants.
class Slist final
{
public:
    Slist() = default;
    /// Appends one line; libcurl copies it. Returns false (and keeps the list) when out of memory.
    bool append(const char *line)
    {
        curl_slist *grown = curl_slist_append(m_list.get(), line);
        if (!grown) {
            return false;
        }
        m_list.release();
        m_list.reset(grown);
        return true;
    }
    bool append(const std::string &line) { return append(line.c_str()); }
    curl_slist *get() const { return m_list.get(); }
    bool empty() const { return !m_list; }

private:
    std::unique_ptr<curl_slist, SlistDeleter> m_list;
};

} // namespace lanedeck::curl
