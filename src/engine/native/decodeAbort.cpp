// Hearth's decode abort: lets a cancellation stop llama.cpp inside a decode, with node-llama-cpp's own
// prebuilt binaries (src/engine/runtime/decodeAbort.ts is its only user).
//
// node-llama-cpp 3.22 never sets llama.cpp's abort callback, so a decode in flight always runs to the
// end of its batch. This small Node-API module sets it on a context node-llama-cpp made:
//   - it finds the llama_context* inside node-llama-cpp's native context object by compiling against
//     node-llama-cpp's own headers (llama/addon/AddonContext.h) and the llama.h of the llama.cpp
//     release it bundles, and checks what it found against the model before touching it;
//   - it calls llama_set_abort_callback, looked up in the libllama that node-llama-cpp loaded;
//   - the callback reads one flag per context, which JavaScript sets and clears (`setAborted`).
// llama.cpp reads the flag between graph nodes. A decode that sees it returns 2 ("aborted"), having
// dropped that batch's KV entries, and node-llama-cpp rejects the decode without moving the sequence.
//
// Built by src/build/decodeAbort/buildDecodeAbort.sh (Linux; elsewhere cancellations land between
// decodes, as without this module).

#include <dlfcn.h>
#include <link.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>

#include "AddonContext.h"
#include "AddonModel.h"
#include "llama.h"
#include "napi.h"

namespace {

struct AbortFlag {
    std::atomic_bool aborted{false};
};

bool readAbortFlag(void* data) {
    return static_cast<AbortFlag*>(data)->aborted.load(std::memory_order_relaxed);
}

using SetAbortCallback = void (*)(llama_context*, ggml_abort_callback, void*);
using GetModel = const llama_model* (*)(const llama_context*);

struct LlamaFunctions {
    SetAbortCallback setAbortCallback = nullptr;
    GetModel getModel = nullptr;
    std::string library;
};

// The libllama node-llama-cpp loaded (privately, so not reachable through RTLD_DEFAULT): the loaded
// object whose file is libllama*.so, not libllama-common.
int findLibllama(dl_phdr_info* info, size_t, void* data) {
    const char* name = info->dlpi_name;
    if (name == nullptr || name[0] == '\0') {
        return 0;
    }
    const char* base = std::strrchr(name, '/');
    base = base == nullptr ? name : base + 1;
    if (std::strncmp(base, "libllama", 8) == 0 && std::strncmp(base, "libllama-", 9) != 0 && std::strstr(base, ".so") != nullptr) {
        *static_cast<std::string*>(data) = name;
        return 1;
    }
    return 0;
}

const LlamaFunctions& llamaFunctions() {
    static LlamaFunctions functions;
    static std::once_flag once;
    std::call_once(once, [] {
        std::string library;
        dl_iterate_phdr(findLibllama, &library);
        if (library.empty()) {
            return;
        }
        // RTLD_NOLOAD: the library already loaded, never a second copy.
        void* handle = dlopen(library.c_str(), RTLD_LAZY | RTLD_NOLOAD);
        if (handle == nullptr) {
            return;
        }
        functions.setAbortCallback = reinterpret_cast<SetAbortCallback>(dlsym(handle, "llama_set_abort_callback"));
        functions.getModel = reinterpret_cast<GetModel>(dlsym(handle, "llama_get_model"));
        functions.library = library;
    });
    return functions;
}

// One flag per llama_context, kept for the life of the process: a flag is a byte, a process makes a
// few contexts, and llama.cpp may read the flag until its context is freed, which this module is not
// told about. A new context at a freed one's address reuses its flag.
std::mutex flagsMutex;
std::unordered_map<const llama_context*, AbortFlag*> flags;

AbortFlag* flagFor(const llama_context* ctx) {
    std::lock_guard<std::mutex> lock(flagsMutex);
    AbortFlag*& flag = flags[ctx];
    if (flag == nullptr) {
        flag = new AbortFlag();
    }
    return flag;
}

// attach(nativeContext, nativeModel): sets the abort callback on node-llama-cpp's context (the
// LlamaContext's `_ctx`, made for the LlamaModel whose `_model` is given) and returns a handle for
// setAborted, or a string saying why it could not.
Napi::Value Attach(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsObject()) {
        return Napi::String::New(env, "attach needs node-llama-cpp's native context and model");
    }
    const LlamaFunctions& functions = llamaFunctions();
    if (functions.setAbortCallback == nullptr || functions.getModel == nullptr) {
        return Napi::String::New(env, "node-llama-cpp's libllama is not loaded, or has no llama_set_abort_callback");
    }
    void* contextWrap = nullptr;
    void* modelWrap = nullptr;
    if (napi_unwrap(env, info[0], &contextWrap) != napi_ok || napi_unwrap(env, info[1], &modelWrap) != napi_ok ||
        contextWrap == nullptr || modelWrap == nullptr) {
        return Napi::String::New(env, "not node-llama-cpp native objects");
    }
    auto* addonContext = static_cast<AddonContext*>(contextWrap);
    auto* addonModel = static_cast<AddonModel*>(modelWrap);
    // The layout check: the context's first member is its model. Only then is `ctx` read, and only
    // used once llama.cpp confirms it belongs to that model.
    if (addonContext->model != addonModel) {
        return Napi::String::New(env, "node-llama-cpp's context does not have the layout this module was built for");
    }
    llama_context* ctx = addonContext->ctx;
    if (ctx == nullptr || addonModel->model == nullptr || functions.getModel(ctx) != addonModel->model) {
        return Napi::String::New(env, "node-llama-cpp's context is not loaded, or not for this model");
    }
    AbortFlag* flag = flagFor(ctx);
    flag->aborted.store(false, std::memory_order_relaxed);
    functions.setAbortCallback(ctx, readAbortFlag, flag);
    return Napi::External<AbortFlag>::New(env, flag);
}

// setAborted(handle, aborted): the flag llama.cpp's abort callback reads for that context.
Napi::Value SetAborted(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 2 || !info[0].IsExternal()) {
        Napi::TypeError::New(env, "setAborted needs a handle from attach and a boolean").ThrowAsJavaScriptException();
        return env.Undefined();
    }
    info[0].As<Napi::External<AbortFlag>>().Data()->aborted.store(info[1].ToBoolean().Value(), std::memory_order_relaxed);
    return env.Undefined();
}

// The libllama it found, for logs and tests.
Napi::Value Library(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), llamaFunctions().library);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
    exports.Set("attach", Napi::Function::New(env, Attach));
    exports.Set("setAborted", Napi::Function::New(env, SetAborted));
    exports.Set("library", Napi::Function::New(env, Library));
    return exports;
}

}  // namespace

NODE_API_MODULE(hearth_decode_abort, Init)
