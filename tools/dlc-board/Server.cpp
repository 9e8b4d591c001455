//===- Server.cpp - dlc-board's HTTP server -------------------------------===//

#include "Server.h"

#include "Assets.h"
#include "Board.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

namespace dlc::board {

namespace {

const char *kJson = "application/json";

void sendJson(httplib::Response &response, const Json &json, int status = 200) {
  response.status = status;
  response.set_header("Cache-Control", "no-store");
  // NaN cannot be written as JSON: replace it with null.
  response.set_content(
      json.dump(-1, ' ', false, Json::error_handler_t::replace), kJson);
}

void sendError(httplib::Response &response, int status,
               const std::string &message) {
  sendJson(response, {{"error", message}}, status);
}

/// The Content-Type of an asset: text is UTF-8.
std::string contentType(const Asset &asset) {
  return std::string(asset.type) + "; charset=utf-8";
}

const Asset *findAsset(std::string_view name) {
  for (const Asset &asset : assets())
    if (asset.name == name)
      return &asset;
  return nullptr;
}

} // namespace

struct Server::Impl {
  ServerOptions options;
  httplib::Server http;
  std::shared_ptr<tune::Storage> storage;
  std::unique_ptr<Predictor> predictor;
  bool bound = false;
  /// stop() may come before listen() has started cpp-httplib's loop, when
  /// httplib's own stop() does nothing: these make either order end it.
  std::atomic<bool> stopping{false};
  std::atomic<bool> listening{false};

  void routes();
};

Server::Server(ServerOptions options) : impl(std::make_unique<Impl>()) {
  impl->options = std::move(options);
  const ServerOptions &o = impl->options;
  std::error_code error;
  if (!o.logdir.empty() && !std::filesystem::is_directory(o.logdir, error))
    throw Error("dlc-board: --logdir " + o.logdir + " is not a directory");
  if (!o.storage.empty()) {
    // A board only reads: a study file that is not there is a mistake,
    // not one to create.
    if (!std::filesystem::is_regular_file(o.storage, error))
      throw Error("dlc-board: --storage " + o.storage + " is not a file");
    impl->storage = tune::make_sqlite_storage(o.storage);
  }
  if (!o.checkpoint.empty()) {
    if (!std::filesystem::is_regular_file(o.checkpoint, error))
      throw Error("dlc-board: --checkpoint " + o.checkpoint + " is not a file");
    std::string card =
        o.card.empty()
            ? (std::filesystem::path(o.checkpoint).parent_path() / "model.json")
                  .string()
            : o.card;
    if (!std::filesystem::is_regular_file(card, error))
      throw Error("dlc-board: no model card " + card +
                  " beside the checkpoint (dlc-train writes model.json and "
                  "vocabularies.txt to its --out; give another with "
                  "--model-card)");
    impl->predictor = std::make_unique<Predictor>(o.checkpoint, card);
  }
  impl->routes();
}

Server::~Server() { stop(); }

void Server::Impl::routes() {
  // cpp-httplib's default socket options set SO_REUSEPORT, which lets a
  // second server bind the same port and silently take half the requests:
  // SO_REUSEADDR alone restarts on a port in TIME_WAIT and refuses a port
  // in use.
  http.set_socket_options([](socket_t socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http.set_payload_max_length(options.max_body);
  http.set_read_timeout(10);
  http.set_write_timeout(10);
  http.set_default_headers(
      {{"X-Content-Type-Options", "nosniff"},
       {"Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"},
       {"Referrer-Policy", "no-referrer"}});

  http.Get("/", [](const httplib::Request &, httplib::Response &response) {
    const Asset *page = findAsset("index.html");
    response.set_content(page->bytes.data(), page->bytes.size(),
                         contentType(*page).c_str());
  });
  http.Get(R"(/assets/([A-Za-z0-9_.-]+))", [](const httplib::Request &request,
                                              httplib::Response &response) {
    const Asset *asset = findAsset(request.matches[1].str());
    if (!asset || asset->name == "index.html")
      return sendError(response, 404, "no asset " + request.matches[1].str());
    response.set_header("Cache-Control", "max-age=300");
    response.set_content(asset->bytes.data(), asset->bytes.size(),
                         contentType(*asset).c_str());
  });

  http.Get("/api/runs", [this](const httplib::Request &,
                               httplib::Response &response) {
    if (options.logdir.empty())
      return sendJson(response, {{"logdir", nullptr}, {"runs", Json::array()}});
    sendJson(response, list_runs(options.logdir));
  });
  http.Get("/api/studies",
           [this](const httplib::Request &, httplib::Response &response) {
             if (!storage)
               return sendJson(response, {{"storage", nullptr},
                                          {"studies", Json::array()}});
             sendJson(response, {{"storage", options.storage},
                                 {"studies", list_studies(*storage)}});
           });
  http.Get("/api/model",
           [this](const httplib::Request &, httplib::Response &response) {
             if (!predictor)
               return sendError(response, 404,
                                "dlc-board was started without --checkpoint");
             sendJson(response, predictor->schema());
           });
  http.Post("/api/predict", [this](const httplib::Request &request,
                                   httplib::Response &response) {
    if (!predictor)
      return sendError(response, 404,
                       "dlc-board was started without --checkpoint");
    Json body = Json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded())
      return sendError(response, 400, "the body is not valid JSON");
    try {
      sendJson(response, predictor->predict(body));
    } catch (const BadRequest &error) {
      sendError(response, 400, error.what());
    }
  });

  // Statuses without a body of the handlers' (unknown paths, methods, a
  // body over the limit) get a JSON one.
  http.set_error_handler([this](const httplib::Request &request,
                                httplib::Response &response) {
    if (!response.body.empty())
      return;
    std::string message =
        response.status == 404 ? "no such page: " + request.path
        : response.status == 413
            ? "the body is larger than " + std::to_string(options.max_body) +
                  " bytes"
        : response.status == 405 ? "method not allowed: " + request.method
                                 : "status " + std::to_string(response.status);
    sendError(response, response.status, message);
  });
  http.set_exception_handler([](const httplib::Request &,
                                httplib::Response &response,
                                std::exception_ptr thrown) {
    std::string message = "internal error";
    try {
      std::rethrow_exception(thrown);
    } catch (const std::exception &error) {
      message = error.what();
    } catch (...) {
    }
    sendError(response, 500, message);
  });
}

int Server::bind() {
  const ServerOptions &o = impl->options;
  int port = o.port;
  bool ok;
  if (port == 0) {
    port = impl->http.bind_to_any_port(o.host);
    ok = port > 0;
  } else {
    ok = impl->http.bind_to_port(o.host, port);
  }
  if (!ok)
    throw Error("dlc-board: cannot listen on " + o.host + ":" +
                std::to_string(o.port) +
                " (in use, or not an address of this machine)");
  impl->bound = true;
  return port;
}

void Server::listen() {
  if (!impl->bound)
    bind();
  impl->listening = true;
  if (!impl->stopping)
    impl->http.listen_after_bind();
  impl->listening = false;
}

void Server::stop() {
  if (!impl)
    return;
  impl->stopping = true;
  // listen() is past its check of `stopping`: wait for the loop to run.
  while (impl->listening && !impl->http.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (impl->http.is_running())
    impl->http.stop();
}

} // namespace dlc::board
