// RAII for the libhogfeat C API in C++17: each handle is a std::unique_ptr
// whose deleter is the library's destroy function, and each failing status
// becomes a hogfeat::error carrying the code and hogfeat_last_error_message().
// Header-only and independent of the library's build: an example to copy.
#ifndef HOGFEAT_EXAMPLE_HOGFEAT_HPP
#define HOGFEAT_EXAMPLE_HOGFEAT_HPP

#include <hogfeat/hogfeat.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace hogfeat {

class error : public std::runtime_error {
public:
    error(hogfeat_status status, const std::string &what_failed)
        : std::runtime_error(what_failed + ": " + hogfeat_status_name(status) + ": " + hogfeat_last_error_message()),
          status_(status)
    {
    }
    hogfeat_status status() const noexcept { return status_; }

private:
    hogfeat_status status_;
};

// Throws when a call failed; `what` names the call in the message.
inline void check(hogfeat_status status, const char *what)
{
    if (status != HOGFEAT_OK)
        throw error(status, what);
}

// A deleter type per handle type, calling the library's destroy function.
template <typename T, void (*Destroy)(T *)>
struct deleter {
    void operator()(T *p) const noexcept { Destroy(p); }
};

using hog_config = std::unique_ptr<hogfeat_hog_config, deleter<hogfeat_hog_config, hogfeat_hog_config_destroy>>;
using image = std::unique_ptr<hogfeat_image, deleter<hogfeat_image, hogfeat_image_destroy>>;
using dataset = std::unique_ptr<hogfeat_dataset, deleter<hogfeat_dataset, hogfeat_dataset_destroy>>;
using pipeline = std::unique_ptr<hogfeat_pipeline, deleter<hogfeat_pipeline, hogfeat_pipeline_destroy>>;
using linsvm = std::unique_ptr<hogfeat_linsvm, deleter<hogfeat_linsvm, hogfeat_linsvm_destroy>>;
using linsvm_params =
    std::unique_ptr<hogfeat_linsvm_params, deleter<hogfeat_linsvm_params, hogfeat_linsvm_params_destroy>>;
using knn = std::unique_ptr<hogfeat_knn, deleter<hogfeat_knn, hogfeat_knn_destroy>>;

// Runs a constructor `create(args..., &raw)` and owns its result.
template <typename Handle, typename Create, typename... Args>
Handle make(Create create, const char *what, Args... args)
{
    typename Handle::pointer raw = nullptr;
    check(create(args..., &raw), what);
    return Handle(raw);
}

} // namespace hogfeat

#endif
