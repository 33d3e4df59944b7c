/**
 * VS Code's platform targets mapped to node-llama-cpp's prebuilt binary packages, and the GitHub-hosted
 * runner the release workflow (.github/workflows/release.yml) builds each on. The CPU package comes
 * first; the GPU ones are large (CUDA ~0.5 GB) and only shipped when asked for. A target without a
 * runner is built by hand on a machine of that platform (`npm run package`).
 */
export const NATIVE_PACKAGES: Record<string, { cpu: string; gpu: string[]; runner?: string }> = {
	'linux-x64': {
		cpu: '@node-llama-cpp/linux-x64',
		gpu: ['@node-llama-cpp/linux-x64-vulkan', '@node-llama-cpp/linux-x64-cuda', '@node-llama-cpp/linux-x64-cuda-ext'],
		runner: 'ubuntu-latest',
	},
	'linux-arm64': { cpu: '@node-llama-cpp/linux-arm64', gpu: [], runner: 'ubuntu-24.04-arm' },
	'linux-armhf': { cpu: '@node-llama-cpp/linux-armv7l', gpu: [] },
	'darwin-arm64': { cpu: '@node-llama-cpp/mac-arm64-metal', gpu: [], runner: 'macos-14' },
	'darwin-x64': { cpu: '@node-llama-cpp/mac-x64', gpu: [], runner: 'macos-13' },
	'win32-x64': {
		cpu: '@node-llama-cpp/win-x64',
		gpu: ['@node-llama-cpp/win-x64-vulkan', '@node-llama-cpp/win-x64-cuda', '@node-llama-cpp/win-x64-cuda-ext'],
		runner: 'windows-latest',
	},
	'win32-arm64': { cpu: '@node-llama-cpp/win-arm64', gpu: [] },
};

/** A VS Code target as npm's `os` and `cpu` values (`linux-armhf` runs on npm's `arm`). */
export function targetPlatform(target: string): { os: string; cpu: string } {
	const [os = '', arch = ''] = target.split('-');
	return { os, cpu: arch === 'armhf' ? 'arm' : arch };
}

/** The VS Code target of the machine this runs on. */
export function currentTarget(): string {
	const platform = process.platform === 'win32' ? 'win32' : process.platform;
	const arch = process.arch === 'arm' ? 'armhf' : process.arch;
	return `${platform}-${arch}`;
}
