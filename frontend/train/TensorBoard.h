//===- TensorBoard.h - dlc::train::SummaryWriter, TensorBoard event files -===//
//
// PyTorch's torch.utils.tensorboard.SummaryWriter for scalars: it writes
// `events.out.tfevents.*` files that TensorBoard reads (`tensorboard
// --logdir <dir>`), with no Python or TensorFlow involved. The file is a
// TFRecord file of serialized `Event` messages (frontend/train/event.proto);
// the first one carries `file_version = "brain.Event:2"`.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_TRAIN_TENSORBOARD_H
#define DLC_FRONTEND_TRAIN_TENSORBOARD_H

#include <cstdint>
#include <cstdio>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace dlc::train {

/// Writes scalars to a TensorBoard event file in `log_dir`, as
/// `torch.utils.tensorboard.SummaryWriter` does. Events are buffered and
/// written every `max_queue` events, after `flush_secs` seconds (checked when
/// an event is added), on flush(), close() and destruction. Not thread-safe.
///
///   dlc::train::SummaryWriter writer("runs/exp1");
///   writer.add_scalar("loss/train", loss, step);
class SummaryWriter {
public:
  /// Creates `log_dir` (and its parents) and a new event file in it named
  /// `events.out.tfevents.<unix seconds>.<hostname>.<pid>.<n><suffix>`
  /// (TensorBoard's own writer's naming; `n` counts writers in this process,
  /// so two writers never share a file). Throws dlc::Error naming the path
  /// and the OS's reason if the directory or file cannot be created.
  explicit SummaryWriter(
      const std::string &log_dir, int max_queue = 10, double flush_secs = 120,
      const std::string &filename_suffix = "",
      std::source_location loc = std::source_location::current());
  /// Flushes and closes; an error is printed to stderr, not thrown.
  ~SummaryWriter();
  SummaryWriter(const SummaryWriter &) = delete;
  SummaryWriter &operator=(const SummaryWriter &) = delete;

  /// Adds `scalar_value` under `tag` at `global_step`. `walltime` is seconds
  /// since the epoch, the current time by default. TensorBoard stores the
  /// value as float32 (`Summary.Value.simple_value`); NaN and infinities
  /// are written as they are. Throws dlc::Error on an empty tag or a closed
  /// writer.
  void add_scalar(const std::string &tag, double scalar_value,
                  int64_t global_step = 0,
                  std::optional<double> walltime = std::nullopt,
                  std::source_location loc = std::source_location::current());

  /// Writes buffered events to the file. Throws dlc::Error (path and OS
  /// reason) if the write fails.
  void flush(std::source_location loc = std::source_location::current());
  /// Flushes and closes the file; later add_scalar() calls throw. Closing a
  /// closed writer does nothing.
  void close(std::source_location loc = std::source_location::current());

  /// The log directory, as given.
  const std::string &get_logdir() const { return logDir; }
  /// The event file's path (dlc's own).
  const std::string &file_path() const { return filePath; }
  /// Whether close() has been called (dlc's own).
  bool is_closed() const { return file == nullptr; }

private:
  /// Appends one TFRecord-framed serialized event to the buffer.
  void appendRecord(std::string_view event);
  /// Writes the buffer to the file; `op` names the caller in errors.
  void writeBuffer(std::string_view op, const std::source_location &loc);

  std::string logDir;
  std::string filePath;
  std::FILE *file = nullptr;
  /// Serialized, framed events not yet written.
  std::string buffer;
  int bufferedEvents = 0;
  int maxQueue;
  double flushSecs;
  /// Seconds (steady clock) of the last write to the file.
  double lastFlush;
  /// Tags whose first value has carried the scalar plugin's metadata.
  std::unordered_set<std::string> taggedScalars;
};

/// One scalar of an event file, as read_scalars returns it.
struct ScalarEvent {
  std::string tag;
  int64_t step = 0;
  double wall_time = 0;
  double value = 0;
};

/// The scalars (`Summary.Value.simple_value`) of the TensorBoard event file
/// at `path`, in file order: what SummaryWriter wrote, or TensorFlow's and
/// PyTorch's writers. Every record's CRCs are checked. A last record cut off
/// (a writer still writing) is ignored; a corrupt record (a CRC that does
/// not match, a length beyond the file) is a dlc::Error naming the file and
/// the record's offset, as is a file that cannot be read.
std::vector<ScalarEvent>
read_scalars(const std::string &path,
             std::source_location loc = std::source_location::current());

} // namespace dlc::train

#endif // DLC_FRONTEND_TRAIN_TENSORBOARD_H
