// NonMaxSuppressionV2/V3/V4/V5: greedy selection of boxes by descending score, dropping a box
// whose IoU with an already selected one is above iou_threshold. Boxes are [n, 4] corner pairs
// (y1, x1, y2, x2) in either order; scores [n]. V3 on add score_threshold (only higher scores are
// candidates), V4 pad_to_max_output_size and valid_outputs, V5 soft_nms_sigma: with sigma > 0 an
// overlapping box is not dropped but its score decays by exp(-iou^2 / (2 sigma)) and it competes
// again (Bodla et al.'s Soft-NMS, as TensorFlow runs it). Equal scores rank the lower index
// first. float boxes and scores.
#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>
#include <string>
#include <vector>

#include "runtime/kernels/internal/common.h"
#include "runtime/kernels/kernels.h"

namespace tern {
namespace {

enum class Version { kV2, kV3, kV4, kV5 };

float IntersectionOverUnion(const float* a, const float* b) {
  const float a_ymin = std::min(a[0], a[2]), a_xmin = std::min(a[1], a[3]);
  const float a_ymax = std::max(a[0], a[2]), a_xmax = std::max(a[1], a[3]);
  const float b_ymin = std::min(b[0], b[2]), b_xmin = std::min(b[1], b[3]);
  const float b_ymax = std::max(b[0], b[2]), b_xmax = std::max(b[1], b[3]);
  const float area_a = (a_ymax - a_ymin) * (a_xmax - a_xmin);
  const float area_b = (b_ymax - b_ymin) * (b_xmax - b_xmin);
  if (area_a <= 0 || area_b <= 0) return 0.0f;
  const float inter_h = std::max(std::min(a_ymax, b_ymax) - std::max(a_ymin, b_ymin), 0.0f);
  const float inter_w = std::max(std::min(a_xmax, b_xmax) - std::max(a_xmin, b_xmin), 0.0f);
  const float inter = inter_h * inter_w;
  return inter / (area_a + area_b - inter);
}

struct Candidate {
  int index;
  float score;
  int compared_up_to;  // selected boxes [0, compared_up_to) have already decayed this score
};

struct RanksBelow {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.score < b.score || (a.score == b.score && a.index > b.index);
  }
};

class NonMaxSuppressionKernel final : public OpKernel {
 public:
  NonMaxSuppressionKernel(Version version, bool pad) : version_(version), pad_(pad) {}

  Status Compute(KernelContext& ctx) const override {
    const Tensor& boxes = ctx.input(0);
    const Tensor& scores = ctx.input(1);
    if (boxes.dtype() != tensorflow::DT_FLOAT || scores.dtype() != tensorflow::DT_FLOAT) {
      return ctx.Error("boxes and scores must be float, got " + DataTypeName(boxes.dtype()) +
                       " and " + DataTypeName(scores.dtype()));
    }
    if (boxes.rank() != 2 || boxes.dim(1) != 4) {
      return ctx.Error("boxes must be [num_boxes, 4], got " + boxes.shape().DebugString());
    }
    const int n = static_cast<int>(boxes.dim(0));
    if (scores.rank() != 1 || scores.dim(0) != n) {
      return ctx.Error("scores must be [" + std::to_string(n) + "] like boxes, got " +
                       scores.shape().DebugString());
    }
    int64_t max_output = 0;
    TERN_RETURN_IF_ERROR(ReadIndexScalar(ctx, ctx.input(2), "max_output_size", &max_output));
    if (max_output < 0) return ctx.Error("max_output_size must be non-negative");
    TERN_ASSIGN_OR_RETURN(const float iou_threshold, FloatScalar(ctx, 3, "iou_threshold"));
    if (!(iou_threshold >= 0 && iou_threshold <= 1)) {
      return ctx.Error("iou_threshold must be in [0, 1]");
    }
    float score_threshold = -std::numeric_limits<float>::infinity();
    if (version_ != Version::kV2) {
      TERN_ASSIGN_OR_RETURN(score_threshold, FloatScalar(ctx, 4, "score_threshold"));
    }
    float sigma = 0;
    if (version_ == Version::kV5) {
      TERN_ASSIGN_OR_RETURN(sigma, FloatScalar(ctx, 5, "soft_nms_sigma"));
      if (sigma < 0) return ctx.Error("soft_nms_sigma must be non-negative");
    }
    const bool soft = sigma > 0;
    const float scale = soft ? -0.5f / sigma : 0.0f;

    const float* box = boxes.flat<float>();
    const float* score = scores.flat<float>();
    std::priority_queue<Candidate, std::vector<Candidate>, RanksBelow> queue;
    for (int i = 0; i < n; ++i) {
      if (score[i] > score_threshold) queue.push({i, score[i], 0});
    }
    std::vector<int> selected;
    std::vector<float> selected_scores;
    while (static_cast<int64_t>(selected.size()) < max_output && !queue.empty()) {
      Candidate next = queue.top();
      queue.pop();
      const float original = next.score;
      bool dropped = false;
      // Later selections overlap more often (similar scores): compare newest first.
      for (int j = static_cast<int>(selected.size()) - 1; j >= next.compared_up_to; --j) {
        const float iou = IntersectionOverUnion(box + 4 * next.index, box + 4 * selected[j]);
        const float weight = std::exp(scale * iou * iou);
        next.score *= (soft || iou <= iou_threshold) ? weight : 0.0f;
        if (!soft && iou > iou_threshold) {
          dropped = true;
          break;
        }
        if (next.score <= score_threshold) break;
      }
      next.compared_up_to = static_cast<int>(selected.size());
      if (dropped) continue;
      if (next.score == original) {
        selected.push_back(next.index);
        selected_scores.push_back(next.score);
      } else if (next.score > score_threshold) {
        queue.push(next);
      }
    }
    const int valid = static_cast<int>(selected.size());
    const int64_t rows = pad_ ? std::max<int64_t>(max_output, valid) : valid;
    TERN_ASSIGN_OR_RETURN(Tensor * indices,
                          ctx.AllocateOutput(0, tensorflow::DT_INT32, TensorShape({rows})));
    std::copy(selected.begin(), selected.end(), indices->flat<int32_t>());
    int next_output = 1;
    if (version_ == Version::kV5) {
      TERN_ASSIGN_OR_RETURN(
          Tensor * out_scores,
          ctx.AllocateOutput(next_output++, tensorflow::DT_FLOAT, TensorShape({rows})));
      std::copy(selected_scores.begin(), selected_scores.end(), out_scores->flat<float>());
    }
    if (version_ == Version::kV4 || version_ == Version::kV5) {
      TERN_ASSIGN_OR_RETURN(Tensor * count,
                            ctx.AllocateOutput(next_output, tensorflow::DT_INT32, TensorShape({})));
      count->flat<int32_t>()[0] = valid;
    }
    return Status::Ok();
  }

 private:
  static StatusOr<float> FloatScalar(const KernelContext& ctx, int input, const char* name) {
    const Tensor& t = ctx.input(input);
    if (t.dtype() != tensorflow::DT_FLOAT || t.num_elements() != 1) {
      return ctx.Error(std::string(name) + " must be a float scalar, got " +
                       DataTypeName(t.dtype()) + " " + t.shape().DebugString());
    }
    return t.flat<float>()[0];
  }

  const Version version_;
  const bool pad_;
};

StatusOr<std::unique_ptr<OpKernel>> Create(const KernelConstruction& c, Version version) {
  return std::unique_ptr<OpKernel>(
      new NonMaxSuppressionKernel(version, c.GetBoolAttrOr("pad_to_max_output_size", false)));
}

}  // namespace

StatusOr<std::unique_ptr<OpKernel>> CreateNonMaxSuppressionV2Kernel(const KernelConstruction& c) {
  return Create(c, Version::kV2);
}
StatusOr<std::unique_ptr<OpKernel>> CreateNonMaxSuppressionV3Kernel(const KernelConstruction& c) {
  return Create(c, Version::kV3);
}
StatusOr<std::unique_ptr<OpKernel>> CreateNonMaxSuppressionV4Kernel(const KernelConstruction& c) {
  return Create(c, Version::kV4);
}
StatusOr<std::unique_ptr<OpKernel>> CreateNonMaxSuppressionV5Kernel(const KernelConstruction& c) {
  return Create(c, Version::kV5);
}

}  // namespace tern
