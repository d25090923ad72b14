#pragma once
// SANE's `test` backend reads through a helper thread that a cancel can leave hung: a scenario
// that drives it runs in a forked child with a deadline, and is retried if the child hangs.
// Shared by the scanner and capture tests.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>

namespace sane_test {

inline void run_isolated(const std::function<void()>& body, int attempts, int deadline_ms) {
  for (int attempt = 0; attempt < attempts; ++attempt) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      body();
      std::fflush(nullptr);
      ::_exit(::testing::Test::HasFailure() ? 1 : 0);
    }
    int status = 0;
    for (int waited_ms = 0; waited_ms < deadline_ms; waited_ms += 10) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        ASSERT_TRUE(WIFEXITED(status)) << "child died by signal " << WTERMSIG(status);
        EXPECT_EQ(WEXITSTATUS(status), 0) << "the scenario failed in the child (see its output above)";
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    std::printf("[ note ] test backend hung (attempt %d); retrying\n", attempt + 1);
  }
  FAIL() << "the test backend hung " << attempts << " times";
}

}  // namespace sane_test
