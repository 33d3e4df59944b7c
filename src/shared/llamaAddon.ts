/**
 * The CMake options of Hearth's build of node-llama-cpp's addon (`npm run addon`,
 * src/build/llamaAddon/). With HEARTH_LLAMA_ADDON=local every getLlama call in the project names
 * them (`getLlamaCmakeOptions`): node-llama-cpp finds a local build by a folder name that hashes
 * them, and one process must load one binding only (two would share llama.cpp's libraries by their
 * names). Otherwise (the default) no call names them and node-llama-cpp loads its prebuilt binaries
 * exactly as before.
 *
 * The build is for the building machine's CPU (node-llama-cpp's default for a local build), with
 * ggml's own thread pool as in its prebuilt binaries. On x64, AMX is switched off: on a Xeon with
 * AMX, GCC 12's AMX kernels died with SIGILL at their first tile instruction (in a build for that
 * CPU and in one with every CPU variant alike). node-llama-cpp's cmake-js sets CMAKE_C(XX)_FLAGS
 * itself, hence the Release flags; GCC's -mno-* flags win over -march=native's in any order.
 * Without AMX that machine evaluated prompts at a quarter of the prebuilt binaries' speed, whose
 * Sapphire Rapids variant uses AMX (28 against 126 tokens/s, the Qwen2.5-Coder 1.5B shape on two
 * cores): measure with `npm run bench` before keeping the build.
 */
export function llamaAddonCmakeOptions(arch: string = process.arch): Record<string, string> {
	if (arch !== 'x64') {
		return { GGML_OPENMP: 'OFF' };
	}
	const flags = '-O3 -DNDEBUG -mno-amx-tile -mno-amx-int8 -mno-amx-bf16';
	return { CMAKE_C_FLAGS_RELEASE: flags, CMAKE_CXX_FLAGS_RELEASE: flags, GGML_OPENMP: 'OFF' };
}

/** The options getLlama is given: Hearth's local build's with HEARTH_LLAMA_ADDON=local, else none (the prebuilt binaries). */
export function getLlamaCmakeOptions(env: NodeJS.ProcessEnv = process.env): Record<string, string> | undefined {
	return env.HEARTH_LLAMA_ADDON === 'local' ? llamaAddonCmakeOptions() : undefined;
}
