/**
 * The parts of Kubernetes objects the domain reads. Structural, so the domain needs no client
 * library: objects from @kubernetes/client-node, the sandbox or a YAML fixture all fit.
 */
export interface KubeMeta {
  name?: string;
  uid?: string;
  namespace?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string | Date;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind?: string; name?: string; uid?: string }[];
}

export interface KubeContainer {
  name: string;
  image?: string;
}

export interface KubeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string | Date;
  lastTransitionTime?: string | Date;
}

export interface LiveDeployment {
  metadata?: KubeMeta;
  spec?: {
    replicas?: number;
    paused?: boolean;
    selector?: { matchLabels?: Record<string, string> };
    progressDeadlineSeconds?: number;
    template?: { metadata?: KubeMeta; spec?: { containers?: KubeContainer[]; initContainers?: KubeContainer[] } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: KubeCondition[];
  };
}

export interface KubeContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: object;
    terminated?: { reason?: string; exitCode?: number };
  };
}

export interface LivePod {
  metadata?: KubeMeta;
  spec?: { containers?: KubeContainer[] };
  status?: { phase?: string; containerStatuses?: KubeContainerStatus[]; initContainerStatuses?: KubeContainerStatus[] };
}

/** A Deployment's ReplicaSet: its revision annotation and pod template say what ran before. */
export interface LiveReplicaSet {
  metadata?: KubeMeta;
  spec?: { template?: { metadata?: KubeMeta; spec?: { containers?: KubeContainer[]; initContainers?: KubeContainer[] } } };
}

/** A StatefulSet's ControllerRevision: its number and the pod template it holds (what `kubectl rollout undo` applies back). */
export interface LiveControllerRevision {
  metadata?: KubeMeta;
  revision?: number;
  data?: { spec?: { template?: { spec?: { containers?: KubeContainer[]; initContainers?: KubeContainer[] } } } };
}
