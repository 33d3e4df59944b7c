/**
 * VS Code's platform targets mapped to node-llama-cpp's prebuilt binary packages. The CPU package
 * comes first; the GPU ones are large (CUDA ~0.5 GB) and only shipped when asked for.
 */
export const NATIVE_PACKAGES: Record<string, { cpu: string; gpu: string[] }> = {
	'linux-x64': {
		cpu: '@node-llama-cpp/linux-x64',
		gpu: ['@node-llama-cpp/linux-x64-vulkan', '@node-llama-cpp/linux-x64-cuda', '@node-llama-cpp/linux-x64-cuda-ext'],
	},
	'linux-arm64': { cpu: '@node-llama-cpp/linux-arm64', gpu: [] },
	'linux-armhf': { cpu: '@node-llama-cpp/linux-armv7l', gpu: [] },
	'darwin-arm64': { cpu: '@node-llama-cpp/mac-arm64-metal', gpu: [] },
	'darwin-x64': { cpu: '@node-llama-cpp/mac-x64', gpu: [] },
	'win32-x64': {
		cpu: '@node-llama-cpp/win-x64',
		gpu: ['@node-llama-cpp/win-x64-vulkan', '@node-llama-cpp/win-x64-cuda', '@node-llama-cpp/win-x64-cuda-ext'],
	},
	'win32-arm64': { cpu: '@node-llama-cpp/win-arm64', gpu: [] },
};

/** The VS Code target of the machine this runs on. */
export function currentTarget(): string {
	const platform = process.platform === 'win32' ? 'win32' : process.platform;
	const arch = process.arch === 'arm' ? 'armhf' : process.arch;
	return `${platform}-${arch}`;
}
