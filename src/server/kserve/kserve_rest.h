// KServe Open Inference Protocol (v2) over REST: /v2, /v2/health/{live,ready},
// /v2/models/{m}[/versions/{v}][/ready|/infer|/config], JSON tensors and the binary tensor
// extension (JSON header of Inference-Header-Content-Length bytes, then raw tensor bytes; a header
// length of 0 is a raw binary request for a single-input model). A function of the request, no
// networking. The KServeService is not owned. Thread-safe.
#pragma once

#include <cstdint>

#include "server/http/rest_handler.h"
#include "server/kserve/kserve_service.h"

namespace tern {

class KServeRestApi : public RestHandler {
 public:
  struct Options {
    int64_t timeout_ms = 0;  // 0: no deadline
    // Elements per tensor beyond which a request is refused before allocating.
    int64_t max_tensor_elements = int64_t{1} << 31;
  };
  KServeRestApi(const KServeService* service, Options options)
      : service_(service), options_(options) {}

  // An infer answers on a batch thread; everything else inline.
  void HandleAsync(const RestRequest& request, RestDone done) const override;

 private:
  void Infer(const ModelRef& ref, const RestRequest& request, RestHandler::RestDone done) const;
  void RawInfer(const ModelRef& ref, std::string_view body, RestHandler::RestDone done) const;
  RestResponse Metadata(const ModelRef& ref) const;
  RestResponse Config(const ModelRef& ref) const;

  const KServeService* service_;
  Options options_;
};

}  // namespace tern
