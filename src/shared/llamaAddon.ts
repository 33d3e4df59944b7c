/**
 * The CMake options of Hearth's build of node-llama-cpp's addon (`npm run addon`,
 * src/build/llamaAddon/), which every getLlama call in the project names: node-llama-cpp finds a
 * local build by a folder name that hashes them, and one process must load one binding only (two
 * would share llama.cpp's libraries by their names). Where that build is missing, node-llama-cpp
 * takes its prebuilt binaries, which these options do not restrict.
 *
 * On x64, AMX is switched off: the build is for this machine's CPU (GGML_NATIVE), and a CPU that
 * reports AMX (amx_tile in /proc/cpuinfo) under a kernel or VM that has not given the process AMX
 * state kills it at the first tile instruction (SIGILL in libggml-cpu, seen on this project's
 * machines). GCC's -mno-* flags win over -march=native's in any order.
 */
export function llamaAddonCmakeOptions(arch: string = process.arch): Record<string, string> {
	if (arch !== 'x64') {
		return {};
	}
	// The Release flags: node-llama-cpp's build tool (cmake-js) sets CMAKE_C(XX)_FLAGS itself.
	const flags = '-O3 -DNDEBUG -mno-amx-tile -mno-amx-int8 -mno-amx-bf16';
	return { CMAKE_C_FLAGS_RELEASE: flags, CMAKE_CXX_FLAGS_RELEASE: flags };
}
