// Copyright 2026 The haplomatch Authors. SPDX-License-Identifier: Apache-2.0
//
// The C++ side of the Python package (python/haplomatch/__init__.py): an
// Engine is a service::Service (the reference data loaded once, and
// optionally a registry), called with the very JSON requests of the HTTP
// service, so that Python gets the documents `haplomatch ... --format json`
// prints, built by the same code, and no rule is bound twice. The GIL is
// released while the library works: a long rank or reduce lets other
// Python threads run.
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "pybind11/pybind11.h"
#include "hla/version.h"
#include "service/service.h"

namespace py = pybind11;

namespace {

using hla::service::Request;
using hla::service::Response;
using hla::service::Service;

// The library's status as the Python exception the package raises
// (haplomatch.Error's constructor takes the message, the code and the
// HTTP-style status, as the service's JSON error says them).
[[noreturn]] void Raise(const absl::Status& status) {
  throw std::runtime_error(std::string(status.message()));
}

class Engine {
 public:
  Engine(const std::string& imgt, const std::string& mac,
         size_t max_rank_donors, int rank_threads) {
    hla::service::ServiceOptions o;
    o.imgt = imgt;
    o.mac = mac;
    o.max_rank_donors = max_rank_donors;
    o.rank_threads = rank_threads;
    absl::StatusOr<std::unique_ptr<Service>> s;
    {
      py::gil_scoped_release release;
      s = Service::Create(o);
    }
    if (!s.ok()) Raise(s.status());
    service_ = std::shared_ptr<Service>(std::move(*s));
  }
  explicit Engine(std::shared_ptr<Service> service)
      : service_(std::move(service)) {}

  // (status, JSON body) of POST `path` with `body`, as the HTTP service
  // answers it (service/service.h).
  py::tuple Call(const std::string& path, const std::string& body) const {
    Response r;
    {
      py::gil_scoped_release release;
      r = service_->Handle({"POST", path, body});
    }
    return py::make_tuple(r.status, py::bytes(r.body));
  }

  py::tuple RankForMerge(const std::string& body) const {
    Response r;
    {
      py::gil_scoped_release release;
      r = service_->RankForMerge({"POST", "/v1/rank", body});
    }
    return py::make_tuple(r.status, py::bytes(r.body));
  }

  py::tuple Version() const {
    Response r = service_->Handle({"GET", "/v1/version", ""});
    return py::make_tuple(r.status, py::bytes(r.body));
  }

  // This engine's reference data with `donors` (a donor file or an index)
  // as its registry; the reference data is shared, not loaded again.
  Engine WithRegistry(const std::string& donors,
                      const std::string& id_column) const {
    absl::StatusOr<std::unique_ptr<Service>> s;
    {
      py::gil_scoped_release release;
      s = service_->WithRegistry(donors, id_column);
    }
    if (!s.ok()) Raise(s.status());
    return Engine(std::shared_ptr<Service>(std::move(*s)));
  }

  size_t registry_size() const { return service_->registry_size(); }
  size_t registry_rejected() const { return service_->registry_rejected(); }
  std::string imgt_version() const { return service_->imgt_version(); }

 private:
  std::shared_ptr<Service> service_;
};

}  // namespace

PYBIND11_MODULE(_haplomatch, m) {
  m.doc() =
      "haplomatch's C++ engine (use the haplomatch package, not this module)";
  m.attr("__version__") = std::string(hla::kVersionString);
  py::class_<Engine>(m, "Engine")
      .def(py::init<const std::string&, const std::string&, size_t, int>(),
           py::arg("imgt") = "", py::arg("mac") = "",
           py::arg("max_rank_donors") = 1000000, py::arg("rank_threads") = 0)
      .def("call", &Engine::Call, py::arg("path"), py::arg("body"))
      .def("rank_for_merge", &Engine::RankForMerge, py::arg("body"))
      .def("version", &Engine::Version)
      .def("with_registry", &Engine::WithRegistry, py::arg("donors"),
           py::arg("id_column") = "")
      .def_property_readonly("registry_size", &Engine::registry_size)
      .def_property_readonly("registry_rejected", &Engine::registry_rejected)
      .def_property_readonly("imgt_version", &Engine::imgt_version);
}
