// The peers, each used as its documentation recommends for two large arrays.

#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/vector.hpp>
#include <cereal/archives/binary.hpp>
#include <cereal/types/vector.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <msgpack.hpp>
#include <sstream>
#include <stdexcept>

#include "baselines.hpp"

namespace bench {
namespace {

namespace fs = std::filesystem;

// The state as the vectors a cereal or Boost user would write.
struct Arrays {
  std::vector<double> x;
  std::vector<std::int64_t> y;
  // One versioned function serves both: cereal and Boost each write a class version.
  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& x& y;
  }
};

void expect_arrays(const Subject& s, const Arrays& a, const std::string& what) {
  expect_bytes(std::as_bytes(s.x), a.x.data(), a.x.size() * sizeof(double), what);
  expect_bytes(std::as_bytes(s.y), a.y.data(), a.y.size() * sizeof(std::int64_t), what);
}

template <class OArchive, class IArchive>
void add_archive(Harness& h, const Subject& s, const std::string& save_name,
                 const std::string& load_name, const char* file_name) {
  auto arrays =
      std::make_shared<Arrays>(Arrays{{s.x.begin(), s.x.end()}, {s.y.begin(), s.y.end()}});
  const fs::path file = s.dir / file_name;
  const auto save = [=](int) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    OArchive archive(out);
    archive << *arrays;
  };
  save(0);
  auto loaded = std::make_shared<Arrays>();
  h.add({.name = save_name, .bytes = s.artifact.size(), .op = save});
  h.add({.name = load_name,
         .bytes = s.artifact.size(),
         .op =
             [=](int) {
               std::ifstream in(file, std::ios::binary);
               IArchive archive(in);
               archive >> *loaded;
             },
         .check =
             [=] {
               expect_arrays(s, *loaded, load_name);
               *loaded = Arrays{};
             }});
}

// ---------- msgpack-c: {"X": bin, "y": bin}, packed straight to the file ----------

struct FdWriter {
  int fd;
  void write(const char* data, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd, data, n);
      if (w <= 0) throw std::runtime_error("msgpack-c: write failed");
      data += w;
      n -= static_cast<std::size_t>(w);
    }
  }
};

template <class Stream>
void pack_state(Stream& out, const Subject& s) {
  msgpack::packer<Stream> pk(out);
  pk.pack_map(2);
  pk.pack("X");
  pk.pack_bin(static_cast<std::uint32_t>(s.x.size_bytes()));
  pk.pack_bin_body(reinterpret_cast<const char*>(s.x.data()),
                   static_cast<std::uint32_t>(s.x.size_bytes()));
  pk.pack("y");
  pk.pack_bin(static_cast<std::uint32_t>(s.y.size_bytes()));
  pk.pack_bin_body(reinterpret_cast<const char*>(s.y.data()),
                   static_cast<std::uint32_t>(s.y.size_bytes()));
}

// Binary blobs are referenced in the input buffer, not copied into the zone.
bool reference_bins(msgpack::type::object_type type, std::size_t, void*) {
  return type == msgpack::type::BIN;
}

// A loaded msgpack-c document: the bytes it references and the unpacked object.
struct Unpacked {
  void* bytes = nullptr;
  std::size_t n = 0;
  msgpack::object_handle handle;
  void* copy = nullptr;  // the bins copied out (the "copy" bytes load)
  void unpack(const void* data, std::size_t size) {
    handle = msgpack::unpack(static_cast<const char*>(data), size, reference_bins);
  }
  [[nodiscard]] msgpack::object_bin bin(std::size_t i) const {
    const msgpack::object& root = handle.get();
    if (root.type != msgpack::type::MAP || root.via.map.size != 2 ||
        root.via.map.ptr[i].val.type != msgpack::type::BIN)
      throw std::runtime_error("msgpack-c: unexpected document");
    return root.via.map.ptr[i].val.via.bin;
  }
  void expect(const Subject& s) const {
    expect_bytes(std::as_bytes(s.x), bin(0).ptr, bin(0).size, "msgpack-c X");
    expect_bytes(std::as_bytes(s.y), bin(1).ptr, bin(1).size, "msgpack-c y");
  }
  void release() {
    handle = msgpack::object_handle();
    std::free(bytes);
    std::free(copy);
    bytes = copy = nullptr;
  }
};

void add_msgpack_files(Harness& h, const Subject& s) {
  const fs::path file = s.dir / "peer.msgpack";
  const auto save = [=](int) {
    FdWriter out{::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600)};
    pack_state(out, s);
    ::close(out.fd);
  };
  save(0);
  h.add({.name = row::kMsgpackSaveFile, .bytes = s.artifact.size(), .op = save});
  auto u = std::make_shared<Unpacked>();
  h.add({.name = row::kMsgpackLoadFile,
         .bytes = s.artifact.size(),
         .op =
             [=](int) {
               const int fd = ::open(file.c_str(), O_RDONLY);
               struct stat st {};
               ::fstat(fd, &st);
               u->n = static_cast<std::size_t>(st.st_size);
               u->bytes = std::malloc(u->n);
               for (std::size_t at = 0; at < u->n;) {
                 const ssize_t r = ::read(fd, static_cast<char*>(u->bytes) + at, u->n - at);
                 if (r <= 0) throw std::runtime_error("msgpack-c: read failed");
                 at += static_cast<std::size_t>(r);
               }
               ::close(fd);
               u->unpack(u->bytes, u->n);
             },
         .check =
             [=] {
               u->expect(s);
               u->release();
             }});
}

void add_msgpack_bytes(Harness& h, const Subject& s) {
  auto packed = std::make_shared<msgpack::sbuffer>();
  pack_state(*packed, s);
  const std::size_t size = packed->size();
  auto out = std::make_shared<std::unique_ptr<msgpack::sbuffer>>();
  h.add({.name = row::kMsgpackSaveBytes,
         .bytes = s.artifact.size(),
         .op =
             [=](int) {
               // Sized up front, as the documentation suggests when the size is known.
               *out = std::make_unique<msgpack::sbuffer>(size);
               pack_state(**out, s);
             },
         .check = [=] { out->reset(); }});
  auto u = std::make_shared<Unpacked>();
  h.add({.name = row::kMsgpackLoadShared,
         .bytes = s.artifact.size(),
         .op = [=](int) { u->unpack(packed->data(), size); },
         .check =
             [=] {
               u->expect(s);
               u->release();
             }});
  // A caller that cannot keep the input alive copies the bins out.
  h.add({.name = row::kMsgpackLoadBytes,
         .bytes = s.artifact.size(),
         .op =
             [=](int) {
               u->unpack(packed->data(), size);
               u->n = u->bin(0).size + u->bin(1).size;
               u->copy = std::malloc(u->n);
               std::memcpy(u->copy, u->bin(0).ptr, u->bin(0).size);
               std::memcpy(static_cast<char*>(u->copy) + u->bin(0).size, u->bin(1).ptr,
                           u->bin(1).size);
             },
         .check =
             [=] {
               expect_bytes(std::as_bytes(s.x), u->copy, s.x.size_bytes(), "msgpack-c copy");
               u->release();
             }});
}

// ---------- RapidJSON: {"X": [[...], ...], "y": [...]}, every double at full precision -------

std::string rapidjson_text(const Subject& s, std::size_t cols) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("X");
  w.StartArray();
  for (std::size_t i = 0; i < s.x.size(); i += cols) {
    w.StartArray();
    for (std::size_t j = 0; j < cols; ++j) w.Double(s.x[i + j]);
    w.EndArray();
  }
  w.EndArray();
  w.Key("y");
  w.StartArray();
  for (const std::int64_t v : s.y) w.Int64(v);
  w.EndArray();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

Arrays rapidjson_parse(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.str().c_str());
  Arrays a;
  for (const auto& row : doc["X"].GetArray())
    for (const auto& v : row.GetArray()) a.x.push_back(v.GetDouble());
  for (const auto& v : doc["y"].GetArray()) a.y.push_back(v.GetInt64());
  return a;
}

}  // namespace

void add_archive_peers(Harness& h, const Subject& s) {
  add_archive<cereal::BinaryOutputArchive, cereal::BinaryInputArchive>(
      h, s, row::kCerealSave, row::kCerealLoad, "peer.cereal");
  add_archive<boost::archive::binary_oarchive, boost::archive::binary_iarchive>(
      h, s, row::kBoostSave, row::kBoostLoad, "peer.boost");
}

void add_msgpack_peer(Harness& h, const Subject& s) {
  add_msgpack_files(h, s);
  add_msgpack_bytes(h, s);
}

void add_rapidjson_peer(Harness& h, const Subject& s) {
  const fs::path file = s.dir / "peer.json";
  const std::size_t cols = s.x.size() / s.y.size();
  const auto save = [=](int) {
    const std::string text = rapidjson_text(s, cols);
    write_file(file, std::as_bytes(std::span(text.data(), text.size())));
  };
  save(0);
  h.add({.name = row::kRapidJsonSave, .bytes = s.artifact.size(), .op = save});
  auto loaded = std::make_shared<Arrays>();
  h.add({.name = row::kRapidJsonLoad,
         .bytes = s.artifact.size(),
         .op = [=](int) { *loaded = rapidjson_parse(file); },
         .check =
             [=] {
               expect_arrays(s, *loaded, row::kRapidJsonLoad);
               *loaded = Arrays{};
             }});
}

}  // namespace bench
