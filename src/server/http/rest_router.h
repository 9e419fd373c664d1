// RestRouter: picks the RestHandler that answers a request by its path: the first route whose
// prefix is the path or a leading segment of it ("/v2" takes "/v2" and "/v2/models/m", not
// "/v2x"); anything else goes to the fallback. The one place REST paths are dispatched to an API.
// Immutable after Create; thread-safe. The handlers are not owned and must outlive the router.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "server/http/rest_handler.h"

namespace tern {

class RestRouter : public RestHandler {
 public:
  struct Route {
    std::string path_prefix;
    const RestHandler* handler = nullptr;
  };
  struct Options {
    std::vector<Route> routes;
    const RestHandler* fallback = nullptr;  // required
  };
  static std::unique_ptr<RestRouter> Create(Options options);

  void HandleAsync(const RestRequest& request, RestDone done) const override;

 private:
  explicit RestRouter(Options options) : options_(std::move(options)) {}
  const RestHandler& Pick(std::string_view target) const;

  const Options options_;
};

}  // namespace tern
