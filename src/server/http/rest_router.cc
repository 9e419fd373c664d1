#include "server/http/rest_router.h"

#include <utility>

namespace tern {

std::unique_ptr<RestRouter> RestRouter::Create(Options options) {
  return std::unique_ptr<RestRouter>(new RestRouter(std::move(options)));
}

const RestHandler& RestRouter::Pick(std::string_view target) const {
  const std::string_view path = target.substr(0, target.find('?'));
  for (const Route& route : options_.routes) {
    const std::string_view prefix = route.path_prefix;
    if (path.substr(0, prefix.size()) != prefix) continue;
    if (path.size() == prefix.size() || path[prefix.size()] == '/') return *route.handler;
  }
  return *options_.fallback;
}

void RestRouter::HandleAsync(const RestRequest& request, RestDone done) const {
  Pick(request.target).HandleAsync(request, std::move(done));
}

}  // namespace tern
