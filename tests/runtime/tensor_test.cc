#include "runtime/tensor.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "runtime/memory_account.h"

namespace tern {
namespace {

TEST(TensorTest, CreateZeroFilledAndShareOnCopy) {
  auto t = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{2, 3});
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->num_elements(), 6);
  EXPECT_EQ(t->byte_size(), 24u);
  EXPECT_EQ(t->flat<float>()[5], 0.0f);
  Tensor copy = *t;
  copy.flat<float>()[0] = 7.0f;
  EXPECT_EQ(t->flat<float>()[0], 7.0f);
  Tensor deep = t->Clone();
  deep.flat<float>()[0] = 1.0f;
  EXPECT_EQ(t->flat<float>()[0], 7.0f);
}

// A kernel's output that it overwrites skips the zero fill, but is charged and checked like any
// other; strings are constructed empty either way.
TEST(TensorTest, UnsetContentsAreChargedAndBudgetedAlike) {
  const int64_t before = TensorMemory::InUseBytes();
  {
    auto t = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{256, 1024}, Tensor::Contents::kUnset);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(TensorMemory::InUseBytes() - before, 256 * 1024 * 4);
    t->flat<float>()[256 * 1024 - 1] = 1.f;  // the whole buffer is there
    auto strings = Tensor::Create(tensorflow::DT_STRING, TensorShape{3}, Tensor::Contents::kUnset);
    ASSERT_TRUE(strings.ok());
    EXPECT_TRUE(strings->flat<std::string>()[2].empty());
  }
  EXPECT_EQ(TensorMemory::InUseBytes(), before);
  auto huge =
      Tensor::Create(tensorflow::DT_FLOAT, TensorShape{int64_t{1} << 38}, Tensor::Contents::kUnset);
  EXPECT_EQ(huge.status().code(), StatusCode::kResourceExhausted);
}

TEST(TensorTest, DataTypeNamesOfReferenceAndUnknownDtypes) {
  EXPECT_EQ(DataTypeName(static_cast<DataType>(101)), "float_ref");
  // A dtype off the wire can be any int32; it is unknown, not a reference (found by fuzzing).
  EXPECT_EQ(DataTypeName(static_cast<DataType>(1'000'000'000)), "dtype1000000000");
  EXPECT_FALSE(IsRefType(static_cast<DataType>(250)));
}

TEST(TensorTest, RejectsNegativeDimension) {
  auto t = Tensor::Create(tensorflow::DT_FLOAT, TensorShape{2, -1});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
}

TEST(TensorTest, ReshapeChecksElementCount) {
  Tensor t = Tensor::FromVector<int64_t>({1, 2, 3, 4}, TensorShape{4});
  auto r = t.Reshaped(TensorShape{2, 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->flat<int64_t>()[3], 4);
  EXPECT_FALSE(t.Reshaped(TensorShape{3}).ok());
}

TEST(TensorTest, Strings) {
  Tensor t = Tensor::FromVector<std::string>({"a", "bc"}, TensorShape{2});
  EXPECT_EQ(t.dtype(), tensorflow::DT_STRING);
  EXPECT_EQ(t.flat<std::string>()[1], "bc");
}

// A buffer Tern did not allocate (a TF_Tensor's output) is adopted without a copy: shared by
// copies of the tensor, released once when the last goes, and charged to the run in scope.
TEST(TensorTest, AdoptBufferIsSharedChargedAndReleasedOnce) {
  auto* data = static_cast<float*>(std::aligned_alloc(64, 64 * 4));
  for (int i = 0; i < 64; ++i) data[i] = static_cast<float>(i);
  int released = 0;
  const int64_t before = TensorMemory::InUseBytes();
  auto run = RunMemory::Create(0);
  {
    RunMemoryScope scope(run);
    auto t = Tensor::AdoptBuffer(tensorflow::DT_FLOAT, TensorShape{8, 8}, data, 64 * 4, [&] {
      ++released;
      std::free(data);
    });
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(t->raw_data(), data);
    EXPECT_EQ(t->flat<float>()[63], 63.f);
    EXPECT_EQ(TensorMemory::InUseBytes() - before, 64 * 4);
    EXPECT_EQ(run->in_use_bytes(), 64 * 4);
    Tensor reshaped = t->WithShape(TensorShape{64});
    Tensor deep = t->Clone();
    EXPECT_NE(deep.raw_data(), data);
    EXPECT_EQ(deep.flat<float>()[63], 63.f);
    *t = Tensor();  // drops the first reference
    EXPECT_EQ(released, 0);
    EXPECT_EQ(reshaped.flat<float>()[1], 1.f);
  }
  EXPECT_EQ(released, 1);
  EXPECT_EQ(TensorMemory::InUseBytes(), before);
  EXPECT_EQ(run->in_use_bytes(), 0);
}

// On any refusal nothing is adopted: the caller still owns the buffer and frees it itself.
TEST(TensorTest, AdoptBufferRefusalsLeaveTheBufferToTheCaller) {
  auto* data = static_cast<char*>(std::aligned_alloc(64, 128));
  int released = 0;
  auto release = [&] { ++released; };
  // Not 64-byte aligned.
  EXPECT_EQ(Tensor::AdoptBuffer(tensorflow::DT_INT8, TensorShape{4}, data + 1, 4, release)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // Wrong byte count, and dtypes without a flat buffer.
  EXPECT_EQ(
      Tensor::AdoptBuffer(tensorflow::DT_FLOAT, TensorShape{4}, data, 15, release).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Tensor::AdoptBuffer(tensorflow::DT_STRING, TensorShape{1}, data, 32, release).status().code(),
      StatusCode::kInvalidArgument);
  // Over the run's budget.
  auto run = RunMemory::Create(64);
  {
    RunMemoryScope scope(run);
    EXPECT_EQ(Tensor::AdoptBuffer(tensorflow::DT_INT8, TensorShape{128}, data, 128, release)
                  .status()
                  .code(),
              StatusCode::kResourceExhausted);
  }
  EXPECT_EQ(run->in_use_bytes(), 0);
  EXPECT_EQ(released, 0);
  std::free(data);
}

// Shapes up to six dims live in the shape itself, longer ones on the heap: copies, moves, growth
// across that boundary and comparisons behave the same either way.
TEST(TensorShapeTest, ShortAndLongShapesCopyMoveGrowAndCompareAlike) {
  TensorShape shape{1, 2, 3, 4, 5};
  shape.AddDim(6);
  shape.AddDim(7);  // now on the heap
  EXPECT_EQ(shape.rank(), 7);
  EXPECT_EQ(shape.dim_vector(), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(shape.num_elements(), 5040);
  TensorShape copy = shape;
  copy.set_dim(6, 8);
  EXPECT_EQ(shape.dim(6), 7);  // the copy has its own dims
  EXPECT_NE(copy, shape);
  TensorShape moved = std::move(copy);
  EXPECT_EQ(moved.DebugString(), "[1,2,3,4,5,6,8]");
  EXPECT_EQ(copy.rank(), 0);  // NOLINT(bugprone-use-after-move): moved-from shapes are empty
  moved = TensorShape{2, 3};  // back to inline dims
  EXPECT_EQ(moved, (TensorShape{2, 3}));
  EXPECT_NE(moved, (TensorShape{2, 3, 1}));
  const std::vector<int64_t> long_dims(9, 2);
  TensorShape from_vector(long_dims);
  EXPECT_EQ(from_vector.num_elements(), 512);
  from_vector = shape;  // a long shape over another long one
  EXPECT_EQ(from_vector, shape);
  const std::span<const int64_t> view = shape.dims();
  EXPECT_EQ(std::vector<int64_t>(view.begin(), view.end()), shape.dim_vector());
}

}  // namespace
}  // namespace tern
