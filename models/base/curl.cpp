#include "base/curl.h"

#include <mutex>

namespace lanedeck::curl {

void globalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Easy makeEasy()
{
    globalInit();
    return Easy(curl_easy_init());
}

Multi makeMulti()
{
    globalInit();
    return Multi(curl_multi_init());
}

} // namespace lanedeck::curl
