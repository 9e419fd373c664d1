#include "runtime/format/tensor_bundle.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "runtime/format/bundle_coding.h"
#include "runtime/format/crc32c.h"
#include "runtime/format/table_reader.h"

namespace tern {
namespace {

using bundle_coding::SliceExtent;
using tensorflow::BundleEntryProto;

// The bundle format version this reader implements (TensorFlow's current one).
constexpr int kBundleReaderVersion = 1;
// VerifyAll checksums large tensors in pieces this big rather than loading them whole.
constexpr uint64_t kVerifyChunkBytes = uint64_t{1} << 20;

// Quotes a key for messages, escaping control bytes that would garble a log line (UTF-8
// names stay readable).
std::string Quote(std::string_view key) {
  std::string out = "'";
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\'' || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", u);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

// Slice keys are binary; show them as "'name' slice start,length:..." (TensorFlow's slice
// notation, '-' for a whole dimension).
std::string DescribeKey(const std::string& key) {
  if (key.empty() || key[0] != '\0') return Quote(key);
  const auto decoded = bundle_coding::DecodeTensorSliceKey(key);
  if (!decoded) return Quote(key);
  std::string spec;
  for (size_t i = 0; i < decoded->extents.size(); ++i) {
    const SliceExtent& e = decoded->extents[i];
    if (i > 0) spec += ":";
    spec += e.length ? std::to_string(e.start) + "," + std::to_string(*e.length) : "-";
  }
  return Quote(decoded->name) + " slice " + (spec.empty() ? "(scalar)" : spec);
}

StatusOr<TensorShape> ShapeFromProto(const tensorflow::TensorShapeProto& proto,
                                     const std::string& what) {
  if (proto.unknown_rank()) return DataLoss(what + " has unknown rank");
  constexpr int64_t kMaxElements = int64_t{1} << 48;
  TensorShape shape;
  int64_t n = 1;
  for (const auto& dim : proto.dim()) {
    if (dim.size() < 0) return DataLoss(what + " has unknown or negative dimension");
    if (dim.size() != 0 && n > kMaxElements / dim.size()) {
      return DataLoss(what + " has an impossibly large shape");
    }
    n *= dim.size();
    shape.AddDim(dim.size());
  }
  return shape;
}

std::vector<SliceExtent> ExtentsOf(const tensorflow::TensorSliceProto& slice) {
  std::vector<SliceExtent> out;
  for (const auto& e : slice.extent()) {
    SliceExtent x;
    x.start = e.start();
    if (e.has_length_case() == tensorflow::TensorSliceProto::Extent::kLength) x.length = e.length();
    out.push_back(x);
  }
  return out;
}

// The [begin, end) ranges a slice covers, given the full shape (a missing length means the
// whole dimension).
struct Box {
  std::vector<int64_t> begin;
  std::vector<int64_t> length;
};

Box BoxOf(const std::vector<SliceExtent>& extents, const TensorShape& shape) {
  Box box;
  for (size_t d = 0; d < extents.size(); ++d) {
    box.begin.push_back(extents[d].length ? extents[d].start : 0);
    box.length.push_back(extents[d].length ? *extents[d].length : shape.dim(static_cast<int>(d)));
  }
  return box;
}

bool Overlap(const Box& a, const Box& b) {
  for (size_t d = 0; d < a.begin.size(); ++d) {
    if (a.begin[d] + a.length[d] <= b.begin[d] || b.begin[d] + b.length[d] <= a.begin[d]) {
      return false;
    }
  }
  return true;
}

std::vector<int64_t> RowMajorStrides(const TensorShape& shape) {
  std::vector<int64_t> strides(shape.rank(), 1);
  for (int d = shape.rank() - 2; d >= 0; --d) strides[d] = strides[d + 1] * shape.dim(d + 1);
  return strides;
}

// Copies the box of size `lengths` at `src_origin` in `src` to `dst_origin` in `dst` (same
// dtype and rank), one innermost row at a time.
void CopyRegion(const Tensor& src, const std::vector<int64_t>& src_origin, Tensor* dst,
                const std::vector<int64_t>& dst_origin, const std::vector<int64_t>& lengths) {
  const int rank = static_cast<int>(lengths.size());
  const size_t elem = DataTypeSize(dst->dtype());
  const bool strings = dst->dtype() == tensorflow::DT_STRING;
  auto copy = [&](int64_t to, int64_t from, int64_t count) {
    if (strings) {
      std::copy_n(src.flat<std::string>() + from, count, dst->flat<std::string>() + to);
    } else {
      std::memcpy(static_cast<char*>(dst->raw_data()) + to * elem,
                  static_cast<const char*>(src.raw_data()) + from * elem, count * elem);
    }
  };
  if (rank == 0) {
    copy(0, 0, 1);
    return;
  }
  int64_t rows = 1;
  for (int d = 0; d < rank; ++d) {
    if (lengths[d] == 0) return;
    if (d < rank - 1) rows *= lengths[d];
  }
  const std::vector<int64_t> src_strides = RowMajorStrides(src.shape());
  const std::vector<int64_t> dst_strides = RowMajorStrides(dst->shape());
  std::vector<int64_t> index(rank, 0);  // position within the box; the last stays 0
  for (int64_t r = 0; r < rows; ++r) {
    int64_t from = 0;
    int64_t to = 0;
    for (int d = 0; d < rank; ++d) {
      from += (src_origin[d] + index[d]) * src_strides[d];
      to += (dst_origin[d] + index[d]) * dst_strides[d];
    }
    copy(to, from, lengths[rank - 1]);
    for (int d = rank - 2; d >= 0; --d) {
      if (++index[d] < lengths[d]) break;
      index[d] = 0;
    }
  }
}

bool ParseInt64(std::string_view text, int64_t* value) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *value = v;
  return true;
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (size_t pos = 0;;) {
    const size_t next = text.find(separator, pos);
    parts.push_back(text.substr(pos, next == std::string_view::npos ? next : next - pos));
    if (next == std::string_view::npos) return parts;
    pos = next + 1;
  }
}

// Parses RestoreV2's "d0 d1 ... start,length:-:..." into the full shape and the slice.
bool ParseShapeAndSlice(std::string_view spec, TensorShape* shape,
                        std::vector<SliceExtent>* extents) {
  const std::vector<std::string_view> words = Split(spec, ' ');
  if (words.size() < 2) return false;  // a scalar cannot be sliced
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    int64_t dim = 0;
    if (!ParseInt64(words[i], &dim)) return false;
    shape->AddDim(dim);
  }
  const std::vector<std::string_view> dims = Split(words.back(), ':');
  if (static_cast<int>(dims.size()) != shape->rank()) return false;
  for (size_t d = 0; d < dims.size(); ++d) {
    SliceExtent e;
    if (dims[d] != "-") {
      const std::vector<std::string_view> pair = Split(dims[d], ',');
      int64_t length = 0;
      if (pair.size() != 2 || !ParseInt64(pair[0], &e.start) || !ParseInt64(pair[1], &length) ||
          e.start > shape->dim(static_cast<int>(d)) ||
          length > shape->dim(static_cast<int>(d)) - e.start) {
        return false;
      }
      e.length = length;
    }
    extents->push_back(e);
  }
  return true;
}

void AppendLE(uint64_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::string BundleShardPath(const std::string& prefix, int shard, int num_shards) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), ".data-%05d-of-%05d", shard, num_shards);
  return prefix + buf;
}

StatusOr<std::unique_ptr<TensorBundleReader>> TensorBundleReader::Open(const std::string& prefix) {
  std::unique_ptr<TensorBundleReader> reader(new TensorBundleReader(prefix));
  reader->index_path_ = prefix + ".index";
  const std::string& index_path = reader->index_path_;
  TERN_ASSIGN_OR_RETURN(std::vector<TableEntry> table, ReadTableFile(index_path));

  if (table.empty() || !table[0].key.empty()) {
    return DataLoss(index_path + ": no bundle header (the entry with key \"\")");
  }
  tensorflow::BundleHeaderProto& header = reader->header_;
  if (!header.ParseFromString(table[0].value)) {
    return DataLoss(index_path + ": bundle header does not parse");
  }
  if (header.num_shards() <= 0) {
    return DataLoss(index_path + ": bundle header says " + std::to_string(header.num_shards()) +
                    " data shards");
  }
  if (header.endianness() != tensorflow::BundleHeaderProto::LITTLE) {
    return Unimplemented(index_path +
                         ": bundle was written big-endian; only little-endian bundles are "
                         "supported");
  }
  const auto& version = header.version();
  const auto& bad = version.bad_consumers();
  if (version.min_consumer() > kBundleReaderVersion ||
      std::find(bad.begin(), bad.end(), kBundleReaderVersion) != bad.end()) {
    return Unimplemented(index_path + ": bundle format version (producer " +
                         std::to_string(version.producer()) + ", min consumer " +
                         std::to_string(version.min_consumer()) + ") cannot be read by version " +
                         std::to_string(kBundleReaderVersion));
  }

  for (size_t i = 1; i < table.size(); ++i) {
    BundleEntryProto entry;
    if (!entry.ParseFromString(table[i].value)) {
      return DataLoss(index_path + ": entry for tensor " + DescribeKey(table[i].key) +
                      " does not parse");
    }
    reader->entries_.emplace_hint(reader->entries_.end(), std::move(table[i].key),
                                  std::move(entry));
  }
  TERN_RETURN_IF_ERROR(reader->OpenShards());
  for (const auto& [key, entry] : reader->entries_)
    TERN_RETURN_IF_ERROR(reader->CheckEntry(key, entry));
  return reader;
}

TensorBundleReader::~TensorBundleReader() {
  for (const Shard& shard : shards_) {
    if (shard.fd >= 0) ::close(shard.fd);
  }
}

Status TensorBundleReader::OpenShards() {
  const int n = header_.num_shards();
  for (int i = 0; i < n; ++i) {
    Shard shard;
    shard.path = BundleShardPath(prefix_, i, n);
    shard.fd = ::open(shard.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (shard.fd < 0) {
      const int err = errno;
      if (err == ENOENT) {
        return NotFound(shard.path + ": data shard " + std::to_string(i) + " of " +
                        std::to_string(n) + " named by " + index_path_ +
                        " is missing (half-written export?)");
      }
      return Unavailable(shard.path + ": cannot open: " + std::strerror(err));
    }
    // Registered before fstat so the destructor closes it on every path.
    shards_.push_back(shard);
    struct stat st {};
    if (::fstat(shard.fd, &st) != 0) {
      return Unavailable(shard.path + ": cannot stat: " + std::strerror(errno));
    }
    shards_.back().size = static_cast<uint64_t>(st.st_size);
  }
  return Status::Ok();
}

Status TensorBundleReader::CheckEntry(const std::string& key, const BundleEntryProto& entry) const {
  const std::string what = index_path_ + ": tensor " + DescribeKey(key);
  TERN_ASSIGN_OR_RETURN(TensorShape shape, ShapeFromProto(entry.shape(), what));
  if (entry.slices_size() > 0) return CheckSlices(key, entry);

  if (entry.shard_id() < 0 || entry.shard_id() >= static_cast<int>(shards_.size())) {
    return DataLoss(what + " names data shard " + std::to_string(entry.shard_id()) + " but the " +
                    "bundle has " + std::to_string(shards_.size()));
  }
  const Shard& shard = shards_[entry.shard_id()];
  if (entry.offset() < 0 || entry.size() < 0 ||
      static_cast<uint64_t>(entry.offset()) > shard.size ||
      static_cast<uint64_t>(entry.size()) > shard.size - static_cast<uint64_t>(entry.offset())) {
    return DataLoss(shard.path + ": file is " + std::to_string(shard.size) + " bytes but tensor " +
                    DescribeKey(key) + " is stored at bytes [" + std::to_string(entry.offset()) +
                    ", +" + std::to_string(entry.size()) + "): truncated (half-written export?)");
  }
  const size_t elem = DataTypeSize(entry.dtype());
  if (elem > 0 &&
      static_cast<uint64_t>(entry.size()) != static_cast<uint64_t>(shape.num_elements()) * elem) {
    return DataLoss(what + " is " + DataTypeName(entry.dtype()) + shape.DebugString() + " (" +
                    std::to_string(shape.num_elements() * elem) + " bytes) but " +
                    std::to_string(entry.size()) + " bytes are stored");
  }
  return Status::Ok();
}

Status TensorBundleReader::CheckSlices(const std::string& key,
                                       const BundleEntryProto& entry) const {
  const std::string what = index_path_ + ": partitioned tensor " + DescribeKey(key);
  TERN_ASSIGN_OR_RETURN(TensorShape shape, ShapeFromProto(entry.shape(), what));
  std::vector<Box> boxes;
  int64_t covered = 0;
  for (const auto& slice : entry.slices()) {
    const std::vector<SliceExtent> extents = ExtentsOf(slice);
    const std::string slice_key = bundle_coding::EncodeTensorSliceKey(key, extents);
    const std::string slice_what = what + ": slice " + DescribeKey(slice_key);
    if (static_cast<int>(extents.size()) != shape.rank()) {
      return DataLoss(slice_what + " has rank " + std::to_string(extents.size()) + ", the tensor " +
                      std::to_string(shape.rank()));
    }
    for (size_t d = 0; d < extents.size(); ++d) {
      const SliceExtent& e = extents[d];
      const int64_t dim = shape.dim(static_cast<int>(d));
      const bool ok = e.length ? (e.start >= 0 && *e.length >= 0 && e.start <= dim &&
                                  *e.length <= dim - e.start)
                               : e.start == 0;
      if (!ok) return DataLoss(slice_what + " lies outside shape " + shape.DebugString());
    }
    const auto it = entries_.find(slice_key);
    if (it == entries_.end()) return DataLoss(slice_what + " has no entry in the index");
    const BundleEntryProto& part = it->second;
    Box box = BoxOf(extents, shape);
    TERN_ASSIGN_OR_RETURN(TensorShape part_shape, ShapeFromProto(part.shape(), slice_what));
    if (part.dtype() != entry.dtype() || part.slices_size() > 0 ||
        part_shape != TensorShape(box.length)) {
      return DataLoss(slice_what + " is stored as " + DataTypeName(part.dtype()) +
                      part_shape.DebugString() + ", expected " + DataTypeName(entry.dtype()) +
                      TensorShape(box.length).DebugString());
    }
    for (const Box& other : boxes) {
      if (Overlap(box, other)) return DataLoss(slice_what + " overlaps another slice");
    }
    covered += part_shape.num_elements();
    boxes.push_back(std::move(box));
  }
  if (covered != shape.num_elements()) {
    return DataLoss(what + ": its slices cover " + std::to_string(covered) + " of " +
                    std::to_string(shape.num_elements()) + " elements");
  }
  return Status::Ok();
}

bool TensorBundleReader::Contains(const std::string& key) const { return entries_.contains(key); }

std::vector<std::string> TensorBundleReader::Keys() const {
  std::vector<std::string> keys;
  keys.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) {
    if (key[0] != '\0') keys.push_back(key);  // the header "" is not in entries_
  }
  return keys;
}

StatusOr<BundleEntryProto> TensorBundleReader::Entry(const std::string& key) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) {
    return NotFound("tensor " + DescribeKey(key) + " not found in " + index_path_);
  }
  return it->second;
}

StatusOr<Tensor> TensorBundleReader::Read(const std::string& key) const {
  const auto it = entries_.find(key);
  if (it == entries_.end()) {
    return NotFound("tensor " + DescribeKey(key) + " not found in " + index_path_);
  }
  if (it->second.slices_size() > 0) return ReadSliced(key, it->second);
  return ReadStored(key, it->second);
}

StatusOr<Tensor> TensorBundleReader::ReadStored(const std::string& key,
                                                const BundleEntryProto& entry) const {
  const std::string what = index_path_ + ": tensor " + DescribeKey(key);
  TERN_ASSIGN_OR_RETURN(TensorShape shape, ShapeFromProto(entry.shape(), what));
  if (entry.dtype() == tensorflow::DT_STRING) return ReadStrings(key, entry, shape);
  if (DataTypeSize(entry.dtype()) == 0) {
    return Unimplemented(what + " has dtype " + DataTypeName(entry.dtype()) +
                         ", which the bundle reader does not support");
  }
  TERN_ASSIGN_OR_RETURN(Tensor tensor, Tensor::Create(entry.dtype(), std::move(shape)));
  TERN_RETURN_IF_ERROR(
      ReadBytes(shards_[entry.shard_id()], entry.offset(), entry.size(), tensor.raw_data()));
  const uint32_t crc = crc32c::Value(tensor.raw_data(), static_cast<size_t>(entry.size()));
  if (crc32c::Mask(crc) != entry.crc32c()) return ChecksumError(key, entry, crc);
  return tensor;
}

// A string tensor is stored as a varint64 length per element, a fixed32 masked CRC32C of
// those lengths, then the bytes of every element. The lengths enter both checksums as
// fixed-width little-endian integers (4 bytes, or 8 for a length beyond 32 bits), not as the
// varints; the entry's checksum runs on over the stored length checksum and the bytes.
StatusOr<Tensor> TensorBundleReader::ReadStrings(const std::string& key,
                                                 const BundleEntryProto& entry,
                                                 const TensorShape& shape) const {
  const std::string what = index_path_ + ": string tensor " + DescribeKey(key);
  const uint64_t n = static_cast<uint64_t>(shape.num_elements());
  const uint64_t size = static_cast<uint64_t>(entry.size());
  if (size < n + 4) {
    return DataLoss(what + " has " + std::to_string(n) + " elements but only " +
                    std::to_string(size) + " bytes are stored");
  }
  std::string buffer(size, '\0');
  TERN_RETURN_IF_ERROR(ReadBytes(shards_[entry.shard_id()], entry.offset(), size, buffer.data()));

  std::string_view in = buffer;
  std::vector<uint64_t> lengths(n);
  std::string fixed_lengths;
  for (uint64_t i = 0; i < n; ++i) {
    if (!bundle_coding::GetVarint64(&in, &lengths[i])) {
      return DataLoss(what + ": malformed length of element " + std::to_string(i));
    }
    AppendLE(lengths[i], lengths[i] <= UINT32_MAX ? 4 : 8, &fixed_lengths);
  }
  if (in.size() < 4) return DataLoss(what + ": lengths run past the stored bytes");
  const uint32_t lengths_crc = crc32c::Value(fixed_lengths);
  const uint32_t stored_lengths_crc = bundle_coding::DecodeFixed32(in.data());
  uint32_t crc = crc32c::Extend(lengths_crc, in.data(), 4);
  in.remove_prefix(4);
  crc = crc32c::Extend(crc, in.data(), in.size());
  if (crc32c::Mask(crc) != entry.crc32c()) return ChecksumError(key, entry, crc);
  if (crc32c::Mask(lengths_crc) != stored_lengths_crc) {
    return DataLoss(what + ": checksum of the element lengths does not match (stored " +
                    crc32c::ToHex(stored_lengths_crc) + ", computed " +
                    crc32c::ToHex(crc32c::Mask(lengths_crc)) + ")");
  }

  Tensor tensor(tensorflow::DT_STRING, shape);
  std::string* out = tensor.flat<std::string>();
  for (uint64_t i = 0; i < n; ++i) {
    if (lengths[i] > in.size()) {
      return DataLoss(what + ": element " + std::to_string(i) + " runs past the stored bytes");
    }
    out[i].assign(in.data(), lengths[i]);
    in.remove_prefix(lengths[i]);
  }
  if (!in.empty()) {
    return DataLoss(what + ": " + std::to_string(in.size()) + " stray bytes after the elements");
  }
  return tensor;
}

StatusOr<Tensor> TensorBundleReader::ReadSliced(const std::string& key,
                                                const BundleEntryProto& entry) const {
  const std::string what = index_path_ + ": partitioned tensor " + DescribeKey(key);
  TERN_ASSIGN_OR_RETURN(TensorShape shape, ShapeFromProto(entry.shape(), what));
  if (entry.dtype() != tensorflow::DT_STRING && DataTypeSize(entry.dtype()) == 0) {
    return Unimplemented(what + " has dtype " + DataTypeName(entry.dtype()) +
                         ", which the bundle reader does not support");
  }
  TERN_ASSIGN_OR_RETURN(Tensor full, Tensor::Create(entry.dtype(), shape));
  for (const auto& slice : entry.slices()) {
    // Open() checked that every slice has an entry of the right dtype and shape.
    const std::vector<SliceExtent> extents = ExtentsOf(slice);
    const std::string slice_key = bundle_coding::EncodeTensorSliceKey(key, extents);
    TERN_ASSIGN_OR_RETURN(Tensor part, ReadStored(slice_key, entries_.at(slice_key)));
    const Box box = BoxOf(extents, shape);
    CopyRegion(part, std::vector<int64_t>(box.begin.size(), 0), &full, box.begin, box.length);
  }
  return full;
}

StatusOr<Tensor> TensorBundleReader::ReadSlice(const std::string& key,
                                               const std::string& shape_and_slice) const {
  if (shape_and_slice.empty()) return Read(key);
  TensorShape full_shape;
  std::vector<SliceExtent> extents;
  if (!ParseShapeAndSlice(shape_and_slice, &full_shape, &extents)) {
    return InvalidArgument("bad shape_and_slice \"" + shape_and_slice + "\" for tensor " +
                           DescribeKey(key));
  }
  TERN_ASSIGN_OR_RETURN(BundleEntryProto entry, Entry(key));
  TERN_ASSIGN_OR_RETURN(
      TensorShape stored_shape,
      ShapeFromProto(entry.shape(), index_path_ + ": tensor " + DescribeKey(key)));
  if (stored_shape != full_shape) {
    return InvalidArgument("tensor " + DescribeKey(key) + " in " + index_path_ + " has shape " +
                           stored_shape.DebugString() + ", the slice spec \"" + shape_and_slice +
                           "\" expects " + full_shape.DebugString());
  }
  // The usual request (RestoreV2 restoring one partition) names exactly a stored slice.
  const std::string slice_key = bundle_coding::EncodeTensorSliceKey(key, extents);
  if (const auto it = entries_.find(slice_key); it != entries_.end()) {
    return ReadStored(slice_key, it->second);
  }
  TERN_ASSIGN_OR_RETURN(Tensor full, Read(key));
  const Box box = BoxOf(extents, full_shape);
  TERN_ASSIGN_OR_RETURN(Tensor part, Tensor::Create(full.dtype(), TensorShape(box.length)));
  CopyRegion(full, box.begin, &part, std::vector<int64_t>(box.begin.size(), 0), box.length);
  return part;
}

Status TensorBundleReader::VerifyAll() const {
  for (const auto& [key, entry] : entries_) {
    // A partitioned tensor's bytes live under its slice keys, which this loop also visits.
    if (entry.slices_size() > 0) continue;
    if (entry.dtype() == tensorflow::DT_STRING || DataTypeSize(entry.dtype()) == 0) {
      TERN_ASSIGN_OR_RETURN(Tensor ignored, ReadStored(key, entry));
      (void)ignored;
    } else {
      TERN_RETURN_IF_ERROR(VerifyStoredNumeric(key, entry));
    }
  }
  return Status::Ok();
}

Status TensorBundleReader::VerifyStoredNumeric(const std::string& key,
                                               const BundleEntryProto& entry) const {
  const Shard& shard = shards_[entry.shard_id()];
  const uint64_t size = static_cast<uint64_t>(entry.size());
  std::string chunk(static_cast<size_t>(std::min(size, kVerifyChunkBytes)), '\0');
  uint32_t crc = 0;
  for (uint64_t done = 0; done < size;) {
    const uint64_t n = std::min(size - done, kVerifyChunkBytes);
    TERN_RETURN_IF_ERROR(ReadBytes(shard, entry.offset() + done, n, chunk.data()));
    crc = crc32c::Extend(crc, chunk.data(), n);
    done += n;
  }
  if (crc32c::Mask(crc) != entry.crc32c()) return ChecksumError(key, entry, crc);
  return Status::Ok();
}

Status TensorBundleReader::ReadBytes(const Shard& shard, uint64_t offset, uint64_t size,
                                     void* out) const {
  auto* dst = static_cast<char*>(out);
  uint64_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(shard.fd, dst + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Unavailable(shard.path + ": read at offset " + std::to_string(offset + done) +
                         " failed: " + std::strerror(errno));
    }
    if (n == 0) {
      return DataLoss(shard.path + ": unexpected end of file at offset " +
                      std::to_string(offset + done) + " (the file shrank after it was opened)");
    }
    done += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status TensorBundleReader::ChecksumError(const std::string& key, const BundleEntryProto& entry,
                                         uint32_t computed) const {
  return DataLoss(
      shards_[entry.shard_id()].path + ": checksum mismatch in tensor " + DescribeKey(key) +
      " (bytes [" + std::to_string(entry.offset()) + ", +" + std::to_string(entry.size()) +
      "), stored masked crc32c " + crc32c::ToHex(entry.crc32c()) + ", computed " +
      crc32c::ToHex(crc32c::Mask(computed)) + "): the variables are corrupt or were half-written");
}

}  // namespace tern
