import type Dockerode from "dockerode";

/**
 * Copies images from the host engine into a node's engine (`docker save | docker load`): no
 * registry is reachable, and a Swarm task whose image is missing on its node is rejected.
 */
export async function loadImages(host: Dockerode, node: Dockerode, images: readonly string[]): Promise<void> {
  for (const image of images) {
    const archive = await host.getImage(image).get();
    const progress = await node.loadImage(archive);
    await new Promise<void>((resolve, reject) => {
      node.modem.followProgress(progress, (error: Error | null) => (error ? reject(error) : resolve()));
    });
    await node.getImage(image).inspect();
  }
}
