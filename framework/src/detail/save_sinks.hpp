#pragma once

// The sinks a save writes an artifact through: counting (to size a payload first), a file
// descriptor, a stream, the hashing sink that builds the chunk table on the way, and the
// piece sink that gathers a bytes save. Only the save code (save.cpp) uses them.

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mlpersist/backend.hpp>
#include <mlpersist/error.hpp>
#include <mlpersist/progress.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "buffer.hpp"
#include "chunk_hash.hpp"
#include "file_io.hpp"

namespace mlpersist::detail {

namespace fs = std::filesystem;

// Counts what a backend would write: bytes and streams size the payload first, since they
// cannot go back to fill in the prelude.
class CountingSink final : public Sink {
 public:
  void write(const void*, std::size_t size) override { size_ += size; }
  [[nodiscard]] std::uint64_t position() const override { return size_; }

 private:
  std::uint64_t size_ = 0;
};

class FdSink final : public Sink {
 public:
  FdSink(int fd, const fs::path& file) : fd_(fd), file_(file) {}
  void write(const void* data, std::size_t size) override {
    detail::write_all(fd_, data, size, file_);
    written_ += size;
  }
  [[nodiscard]] std::uint64_t position() const override { return written_; }

 private:
  int fd_;
  const fs::path& file_;
  std::uint64_t written_ = 0;
};

class StreamSink final : public Sink {
 public:
  explicit StreamSink(std::ostream& out) : out_(out) {}
  void write(const void* data, std::size_t size) override {
    out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out_) throw IoError(ErrorCode::kIo, "<stream>: write failed");
    written_ += size;
  }
  [[nodiscard]] std::uint64_t position() const override { return written_; }

 private:
  std::ostream& out_;
  std::uint64_t written_ = 0;
};

// Passes the artifact on to `out` while hashing its payload into the chunk table. Small writes
// (a backend writes a document's structure a few bytes at a time) are gathered in a buffer, so
// that a file sees one system call per buffer and the hash runs on whole blocks. The header
// goes in first, unhashed, and the trailer last, so a small artifact is written in one piece.
// Large blocks (tensor data) bypass the buffer and are hashed on a second thread while `out`
// writes them, so the checksum costs no time. A progress callback hears of each flush and of
// each 32 MB slice of a large block.
class HashingSink final : public Sink {
 public:
  HashingSink(Sink& out, std::string_view head, const ProgressFn& progress, std::uint64_t total)
      : out_(out), progress_(progress), total_(total) {
    if (head.size() > kBuffer) {  // large metadata: written at once, never rewritten in place
      out_.write(head.data(), head.size());
      flushed_ = head.size();
    } else {
      append(head.data(), head.size());
      unhashed_ = head.size();
    }
    head_ = head.size();
  }
  void write(const void* data, std::size_t size) override {
    written_ += size;
    if (size <= kBuffer - used_) return append(data, size);
    flush();
    if (size < kBuffer) return append(data, size);
    write_large(static_cast<const std::byte*>(data), size);
  }
  /// Payload bytes written so far.
  [[nodiscard]] std::uint64_t position() const override { return written_; }
  /// Appends the trailer; the caller then may rewrite the header and must flush().
  void finish_payload() {
    const std::string trailer =
        detail::chunk_trailer(hasher_.finish({buffer_.data() + unhashed_, used_ - unhashed_}));
    unhashed_ = used_;
    if (trailer.size() > kBuffer - used_) flush();
    if (trailer.size() > kBuffer) {  // a payload over 1 GiB: more than 4096 chunks
      out_.write(trailer.data(), trailer.size());
      flushed_ += trailer.size();
      return report();
    }
    append(trailer.data(), trailer.size());
    unhashed_ = used_;
  }
  /// Replaces the header when it is still in the buffer (a file's prelude, once the payload
  /// size is known); false when it was written already.
  bool rewrite_head(std::string_view head) {
    if (flushed_ != 0 || head.size() != head_) return false;
    std::memcpy(buffer_.data(), head.data(), head.size());
    return true;
  }
  void flush() {
    if (used_ == 0) return;
    hasher_.update(buffer_.data() + unhashed_, used_ - unhashed_);
    out_.write(buffer_.data(), used_);
    flushed_ += used_;
    used_ = unhashed_ = 0;
    report();
  }

 private:
  static constexpr std::size_t kBuffer = std::size_t{32} << 10;

  void append(const void* data, std::size_t size) {
    std::memcpy(buffer_.data() + used_, data, size);
    used_ += size;
  }
  void report() const {
    if (progress_) progress_(std::min(flushed_, total_ == 0 ? flushed_ : total_), total_);
  }
  void write_large(const std::byte* bytes, std::size_t size) {
    constexpr std::size_t kSlice = std::size_t{32} << 20;
    const std::size_t slice = progress_ ? kSlice : size;
    for (std::size_t done = 0; done < size; done += slice) {
      write_block(bytes + done, std::min(slice, size - done));
      report();
    }
  }
  void write_block(const std::byte* bytes, std::size_t size) {
    if (size < detail::kParallelHashThreshold) {
      hasher_.update(bytes, size);
      out_.write(bytes, size);
    } else {
      std::thread hashing([&] { hasher_.update(bytes, size); });
      try {
        out_.write(bytes, size);
      } catch (...) {
        hashing.join();
        throw;
      }
      hashing.join();
    }
    flushed_ += size;
  }

  Sink& out_;
  const ProgressFn& progress_;
  std::uint64_t total_;  // the artifact's size, 0 when unknown
  detail::ChunkHasher hasher_;
  std::array<std::byte, kBuffer> buffer_;
  std::size_t used_ = 0;
  std::size_t unhashed_ = 0;  // buffered bytes that are not payload (header, trailer)
  std::size_t head_ = 0;
  std::uint64_t flushed_ = 0;  // artifact bytes passed on to `out`
  std::uint64_t written_ = 0;  // payload bytes received
};

// An artifact gathered in pieces that grow geometrically, for a bytes save whose backend cannot
// size its payload cheaply: one encoding instead of two. Each piece is freed once joined, so
// memory peaks at the result plus the largest piece (64 MiB); large pieces and the result use
// huge pages, so filling them costs little beside the encoding.
class PieceSink final : public Sink {
 public:
  void write(const void* data, std::size_t size) override {
    const auto* bytes = static_cast<const std::byte*>(data);
    written_ += size;
    while (size > 0) {
      if (pieces_.empty() || pieces_.back().used == pieces_.back().size) grow();
      Piece& piece = pieces_.back();
      const std::size_t n = std::min(size, piece.size - piece.used);
      std::memcpy(piece.data.get() + piece.used, bytes, n);
      piece.used += n;
      bytes += n;
      size -= n;
    }
  }
  [[nodiscard]] std::uint64_t position() const override { return written_; }
  /// The pieces as one string, its first bytes replaced by `head` (of the same length).
  std::string join(std::string_view head) {
    std::string out;
    out.reserve(static_cast<std::size_t>(written_));
    detail::advise_huge_pages(out.data(), out.capacity());
    for (Piece& piece : pieces_) {
      out.append(reinterpret_cast<const char*>(piece.data.get()), piece.used);
      piece.data.reset();
    }
    out.replace(0, head.size(), head);
    return out;
  }

 private:
  struct Piece {
    std::shared_ptr<std::byte> data;
    std::size_t size = 0;
    std::size_t used = 0;
  };
  void grow() {
    constexpr std::size_t kFirst = std::size_t{64} << 10;
    constexpr std::size_t kLargest = std::size_t{64} << 20;
    const std::size_t size = pieces_.empty() ? kFirst : std::min(2 * pieces_.back().size, kLargest);
    pieces_.push_back({detail::aligned_buffer(size), size, 0});
  }

  std::vector<Piece> pieces_;
  std::uint64_t written_ = 0;
};

}  // namespace mlpersist::detail
