// ThreadSanitizer builds only (SWARMKV_TSAN): teaches TSan what Debian's absl::Mutex,
// absl::CondVar and absl::Notification do.
//
// Why: Debian's libabsl_synchronization is not built with TSan, and absl::Mutex is not a
// pthread mutex (it spins and waits on a futex of its own), so TSan, which learns about locks by
// intercepting pthread calls and by instrumented atomics, sees none of its acquires and releases:
// every access guarded by an absl::Mutex in our code came out as a data race (a two-thread
// counter under absl::MutexLock is enough to show it). A suppression would hide every real race
// in our code with them.
//
// How: this file defines the out-of-line members of those classes in the test executable, which
// takes precedence over the shared library's (ELF symbol interposition; the executable is linked
// with -rdynamic, so the library's own internal calls reach these too). Each one calls the
// library's definition (dlsym RTLD_NEXT) and tells TSan what happened with its public
// annotation interface (sanitizer/tsan_interface.h): a lock acquired or released, a
// happens-before edge for Notify and WaitForNotification. Conditions are evaluated by absl with
// the real lock held but, in TSan's view, outside it (in another thread's Unlock, or before the
// lock is recorded as taken): their reads are not checked.
#if !defined(__has_feature) || !__has_feature(thread_sanitizer)
#error "tsan_absl_annotations.cc belongs in ThreadSanitizer builds only"
#endif

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

// The mangled names below spell Debian 12's inline namespace.
#define SWARMKV_ABSL_NS "7debian3"
#define SWARMKV_STRINGIFY2(x) #x
#define SWARMKV_STRINGIFY(x) SWARMKV_STRINGIFY2(x)
static_assert(std::string_view(SWARMKV_STRINGIFY(ABSL_OPTION_INLINE_NAMESPACE_NAME)) == "debian3",
              "another Abseil build: update SWARMKV_ABSL_NS");

// The TSan runtime's dynamic annotations (no header declares them).
extern "C" {
void AnnotateIgnoreReadsBegin(const char* file, int line);
void AnnotateIgnoreReadsEnd(const char* file, int line);
void AnnotateIgnoreWritesBegin(const char* file, int line);
void AnnotateIgnoreWritesEnd(const char* file, int line);
}

namespace {

// The shared library's definition of `mangled`, called with `this` first, as the ABI passes it.
template <typename Fn>
Fn Real(const char* mangled) {
  void* found = dlsym(RTLD_NEXT, mangled);
  if (found == nullptr) {
    std::fprintf(stderr, "tsan_absl_annotations: %s not found in libabsl: %s\n", mangled,
                 dlerror());
    std::abort();
  }
  return reinterpret_cast<Fn>(found);
}

#define SWARMKV_REAL(type, name) \
  static const auto real = Real<type>("_ZN4absl" SWARMKV_ABSL_NS name)
#define SWARMKV_REAL_CONST(type, name) \
  static const auto real = Real<type>("_ZNK4absl" SWARMKV_ABSL_NS name)

// absl's members call each other (in Debian's build CondVar::WaitWithTimeout calls
// WaitWithDeadline, Notification calls Mutex), and those calls reach the definitions here too:
// only the outermost one on a thread tells TSan, or a wait would release its mutex twice.
thread_local int depth = 0;
class Outermost {
 public:
  Outermost() : outer_(depth++ == 0) {}
  ~Outermost() { --depth; }
  explicit operator bool() const { return outer_; }

 private:
  const bool outer_;
};

void Acquired(const Outermost& outer, void* mu, unsigned flags) {
  if (!outer) return;
  __tsan_mutex_pre_lock(mu, flags);
  __tsan_mutex_post_lock(mu, flags, 0);
}
void Released(const Outermost& outer, void* mu, unsigned flags) {
  if (!outer) return;
  __tsan_mutex_pre_unlock(mu, flags);
  __tsan_mutex_post_unlock(mu, flags);
}

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  SWARMKV_REAL(void (*)(Mutex*), "5Mutex4LockEv");
  const Outermost outer;
  real(this);
  Acquired(outer, this, 0);
}

void Mutex::ReaderLock() {
  SWARMKV_REAL(void (*)(Mutex*), "5Mutex10ReaderLockEv");
  const Outermost outer;
  real(this);
  Acquired(outer, this, __tsan_mutex_read_lock);
}

bool Mutex::TryLock() {
  SWARMKV_REAL(bool (*)(Mutex*), "5Mutex7TryLockEv");
  const Outermost outer;
  const bool locked = real(this);
  if (locked) Acquired(outer, this, __tsan_mutex_try_lock);
  return locked;
}

bool Mutex::ReaderTryLock() {
  SWARMKV_REAL(bool (*)(Mutex*), "5Mutex13ReaderTryLockEv");
  const Outermost outer;
  const bool locked = real(this);
  if (locked) Acquired(outer, this, __tsan_mutex_read_lock | __tsan_mutex_try_lock);
  return locked;
}

void Mutex::Unlock() {
  SWARMKV_REAL(void (*)(Mutex*), "5Mutex6UnlockEv");
  const Outermost outer;
  Released(outer, this, 0);
  real(this);
}

void Mutex::ReaderUnlock() {
  SWARMKV_REAL(void (*)(Mutex*), "5Mutex12ReaderUnlockEv");
  const Outermost outer;
  Released(outer, this, __tsan_mutex_read_lock);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  SWARMKV_REAL(void (*)(Mutex*, const Condition&), "5Mutex8LockWhenERKNS0_9ConditionE");
  const Outermost outer;
  real(this, cond);
  Acquired(outer, this, 0);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  SWARMKV_REAL(void (*)(Mutex*, const Condition&), "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  const Outermost outer;
  real(this, cond);
  Acquired(outer, this, __tsan_mutex_read_lock);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  SWARMKV_REAL(bool (*)(Mutex*, const Condition&, Duration),
               "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const Outermost outer;
  const bool met = real(this, cond, timeout);
  Acquired(outer, this, 0);  // held either way
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  SWARMKV_REAL(bool (*)(Mutex*, const Condition&, Time),
               "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const Outermost outer;
  const bool met = real(this, cond, deadline);
  Acquired(outer, this, 0);
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  SWARMKV_REAL(bool (*)(Mutex*, const Condition&, Duration),
               "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const Outermost outer;
  const bool met = real(this, cond, timeout);
  Acquired(outer, this, __tsan_mutex_read_lock);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  SWARMKV_REAL(bool (*)(Mutex*, const Condition&, Time),
               "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const Outermost outer;
  const bool met = real(this, cond, deadline);
  Acquired(outer, this, __tsan_mutex_read_lock);
  return met;
}

// Await releases the lock while it waits and holds it again when it returns. (Our code awaits
// with the writer lock held.)
void Mutex::Await(const Condition& cond) {
  SWARMKV_REAL(void (*)(Mutex*, const Condition&), "5Mutex5AwaitERKNS0_9ConditionE");
  const Outermost outer;
  Released(outer, this, 0);
  real(this, cond);
  Acquired(outer, this, 0);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  SWARMKV_REAL(bool (*)(Mutex*, const Condition&, Duration),
               "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  const Outermost outer;
  Released(outer, this, 0);
  const bool met = real(this, cond, timeout);
  Acquired(outer, this, 0);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  SWARMKV_REAL(bool (*)(Mutex*, const Condition&, Time),
               "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  const Outermost outer;
  Released(outer, this, 0);
  const bool met = real(this, cond, deadline);
  Acquired(outer, this, 0);
  return met;
}

bool Condition::Eval() const {
  SWARMKV_REAL_CONST(bool (*)(const Condition*), "9Condition4EvalEv");
  AnnotateIgnoreReadsBegin(__FILE__, __LINE__);
  AnnotateIgnoreWritesBegin(__FILE__, __LINE__);
  const bool met = real(this);
  AnnotateIgnoreWritesEnd(__FILE__, __LINE__);
  AnnotateIgnoreReadsEnd(__FILE__, __LINE__);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  SWARMKV_REAL(void (*)(CondVar*, Mutex*), "7CondVar4WaitEPNS0_5MutexE");
  const Outermost outer;
  Released(outer, mu, 0);
  real(this, mu);
  Acquired(outer, mu, 0);
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  SWARMKV_REAL(bool (*)(CondVar*, Mutex*, Duration),
               "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  const Outermost outer;
  Released(outer, mu, 0);
  const bool timed_out = real(this, mu, timeout);
  Acquired(outer, mu, 0);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  SWARMKV_REAL(bool (*)(CondVar*, Mutex*, Time),
               "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  const Outermost outer;
  Released(outer, mu, 0);
  const bool timed_out = real(this, mu, deadline);
  Acquired(outer, mu, 0);
  return timed_out;
}

// Notify publishes everything written before it to whoever sees the notification: through
// WaitForNotification*, and through the inline HasBeenNotified, an acquire load of
// `notified_yet_` (the member after the Mutex) that TSan does see.
static_assert(sizeof(Notification) == sizeof(Mutex) + 8, "Notification's layout changed");

void Notification::Notify() {
  SWARMKV_REAL(void (*)(Notification*), "12Notification6NotifyEv");
  __tsan_release(this);
  __tsan_release(reinterpret_cast<char*>(this) + sizeof(Mutex));
  real(this);
}

void Notification::WaitForNotification() const {
  SWARMKV_REAL_CONST(void (*)(const Notification*), "12Notification19WaitForNotificationEv");
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  SWARMKV_REAL_CONST(bool (*)(const Notification*, Duration),
                     "12Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  SWARMKV_REAL_CONST(bool (*)(const Notification*, Time),
                     "12Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
