#include "server/http/rest_handler.h"

#include <chrono>
#include <future>
#include <utility>

#include "server/codec/json_tensor.h"
#include "server/http/http_status.h"

namespace tern {

RestResponse ErrorResponse(const Status& status) {
  RestResponse r;
  r.status_code = ToHttpStatusCode(status.code());
  r.code = status.code();
  r.body = WriteErrorResponse(status.message());
  return r;
}

RunOptions RestRunOptions(int64_t timeout_ms) {
  RunOptions run;
  if (timeout_ms > 0) {
    run.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return run;
}

RestResponse RestHandler::Handle(const RestRequest& request) const {
  std::promise<RestResponse> answer;
  HandleAsync(request, [&answer](RestResponse r) { answer.set_value(std::move(r)); });
  return answer.get_future().get();
}

RestResponse RestHandler::Handle(std::string_view method, std::string_view target,
                                 std::string_view body) const {
  return Handle(RestRequest{method, target, body, {}});
}

}  // namespace tern
